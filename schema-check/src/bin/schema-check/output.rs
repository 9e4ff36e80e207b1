//! What every command shares: the output format and colour options, and writing a report.

use std::io::Write;
use std::path::Path;

use schema_check::report::Report;
use schema_check::report::render::{self, Format, Sources, Tool};

/// `--format` and `--color`, flattened into every command that reports findings.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Output format: rustc-style text, the versioned JSON document, or SARIF 2.1.0.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// When to colour text: `auto` (on a terminal, unless `NO_COLOR` is set), `always`,
    /// `never`.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` (or `CLICOLOR=0`) says otherwise.
    Auto,
    /// Always (also `CLICOLOR_FORCE`).
    Always,
    /// Never.
    Never,
}

impl ColorWhen {
    fn choice(self) -> anstream::ColorChoice {
        match self {
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        }
    }
}

/// Standard output, coloured as `--color` and the environment say (`anstream` drops the
/// colours where they are not wanted).
pub fn stdout(color: ColorWhen) -> anstream::AutoStream<std::io::Stdout> {
    anstream::AutoStream::new(std::io::stdout(), color.choice())
}

/// Standard error, likewise.
pub fn stderr(color: ColorWhen) -> anstream::AutoStream<std::io::Stderr> {
    anstream::AutoStream::new(std::io::stderr(), color.choice())
}

/// Writes `report` to standard output in the chosen format. Paths in the report start at
/// the current directory; SARIF gives them relative to the repository it is in.
pub fn emit(report: &Report, args: &OutputArgs, tool: &Tool) {
    emit_with(
        report,
        args,
        tool,
        &format!("{}\n", render::summary(report)),
    );
}

/// [`emit`], with `closing` (whole lines) after the findings in text instead of the count.
pub fn emit_with(report: &Report, args: &OutputArgs, tool: &Tool, closing: &str) {
    let out = match args.format {
        Format::Text => {
            let mut text = render::text(report, &mut Sources::new(), true);
            text.push_str(closing);
            text
        }
        Format::Json => render::json(report, tool),
        Format::Sarif => {
            let here = Path::new(".");
            render::sarif(report, tool, here, &render::repository_root(here))
        }
    };
    let mut stdout = stdout(args.color);
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
}
