//! Property tests for the statement splitter: statements built from random fragments
//! (strings and identifiers holding `;` and `--`, inline comments holding `;`, dollar
//! bodies holding `;`), joined by random separators and comments, split back into exactly
//! the same statements at exactly the positions they were written.

use proptest::prelude::*;
use schema_check::Dialect;
use schema_check::split::split;

/// One piece of a statement's text.
fn fragment(dialect: Dialect) -> BoxedStrategy<String> {
    let word = prop::sample::select(vec!["SELECT", "a", "t1", "x_y", "42", "FROM", "é", "WHERE"])
        .prop_map(str::to_string);
    let punct = prop::sample::select(vec!["(", ")", ",", "=", "*", "-"]).prop_map(str::to_string);
    let body = "[a-z ;\\-/*#\"'\n]{0,12}";
    let string = body.prop_map(|s| format!("'{}'", s.replace('\'', "''")));
    let ident = body.prop_map(|s| format!("\"{}\"", s.replace('"', "\"\"")));
    let comment = "[a-z ;'\"-]{0,8}".prop_map(|s| format!("/* {s} */"));
    let mut choices = vec![
        word.boxed(),
        punct.boxed(),
        string.boxed(),
        ident.boxed(),
        comment.boxed(),
    ];
    match dialect {
        Dialect::Postgres => {
            let dollar = ("[a-z]{0,3}", "[a-z ;'\"\\-\n]{0,12}")
                .prop_map(|(tag, body)| format!("${tag}$ {body} ${tag}$"));
            choices.push(dollar.boxed());
        }
        Dialect::Mysql => {
            choices.push("[a-z ;'\"]{0,8}".prop_map(|s| format!("`{s}`")).boxed());
            choices.push(
                "[a-z ;\"]{0,8}"
                    .prop_map(|s| format!("'{s}\\'\\\\'"))
                    .boxed(),
            );
        }
        Dialect::Sqlite => {
            choices.push("[a-z ;'\"]{0,8}".prop_map(|s| format!("[{s}]")).boxed());
        }
    }
    prop::strategy::Union::new(choices).boxed()
}

/// A statement: fragments joined by white space, never starting or ending with a comment.
fn statement(dialect: Dialect) -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["SELECT", "UPDATE", "INSERT", "DROP"]),
        prop::collection::vec(
            (
                fragment(dialect),
                prop::sample::select(vec![" ", "\n", "\t", "  "]),
            ),
            0..6,
        ),
        prop::sample::select(vec!["x", "1", "'end'", "\"q\""]),
    )
        .prop_map(|(head, middle, tail)| {
            let mut s = head.to_string();
            for (frag, ws) in middle {
                s.push_str(ws);
                s.push_str(&frag);
            }
            s.push(' ');
            s.push_str(tail);
            s
        })
}

/// What may come between statements (each holds at least one terminator).
fn separator() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        ";",
        ";\n",
        "; -- a; 'b\n",
        ";\n/* ; ' */\n",
        ";;\n",
        ";\r\n",
        "; ;\n\n",
    ])
    .prop_map(str::to_string)
}

fn position(src: &str, offset: usize) -> (u32, u32) {
    let before = &src[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() as u32 + 1)
}

fn check(dialect: Dialect, lead: &str, stmts: &[String], seps: &[String], trailing: bool) {
    let mut src = lead.to_string();
    let mut expected = Vec::new();
    for (i, stmt) in stmts.iter().enumerate() {
        expected.push((stmt.clone(), position(&src, src.len())));
        src.push_str(stmt);
        if i + 1 < stmts.len() || trailing {
            src.push_str(&seps[i % seps.len()]);
        }
    }
    let got = split(&src, "f.sql", dialect)
        .into_result()
        .unwrap_or_else(|e| panic!("{e}\nsource:\n{src}"));
    let got: Vec<_> = got
        .into_iter()
        .map(|s| (s.text, (s.at.line, s.at.column)))
        .collect();
    assert_eq!(got, expected, "source:\n{src}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn postgres_round_trip(
        lead in prop::sample::select(vec!["", "\n", "-- head;\n", "/* a /* ; */ b */\n  "]),
        stmts in prop::collection::vec(statement(Dialect::Postgres), 1..6),
        seps in prop::collection::vec(separator(), 1..4),
        trailing in any::<bool>(),
    ) {
        check(Dialect::Postgres, lead, &stmts, &seps, trailing);
    }

    #[test]
    fn mysql_round_trip(
        lead in prop::sample::select(vec!["", "\n", "-- head;\n", "# head;\n", "/* a ; */\n  "]),
        stmts in prop::collection::vec(statement(Dialect::Mysql), 1..6),
        seps in prop::collection::vec(separator(), 1..4),
        trailing in any::<bool>(),
    ) {
        check(Dialect::Mysql, lead, &stmts, &seps, trailing);
    }

    #[test]
    fn sqlite_round_trip(
        lead in prop::sample::select(vec!["", "\r\n", "-- head;\n", "/* a ; */\n  "]),
        stmts in prop::collection::vec(statement(Dialect::Sqlite), 1..6),
        seps in prop::collection::vec(separator(), 1..4),
        trailing in any::<bool>(),
    ) {
        check(Dialect::Sqlite, lead, &stmts, &seps, trailing);
    }

    /// Any text at all: the splitter never panics, every statement's position points at
    /// its text, and the statements appear in file order.
    #[test]
    fn arbitrary_text_never_panics(src in "[a-zA-Z$;'\"`\\[\\]#/*\\-\n\\\\ é]{0,80}", d in 0usize..3) {
        let dialect = Dialect::ALL[d];
        let out = split(&src, "f.sql", dialect);
        let mut last = 0;
        for s in &out.statements {
            let offset = offset_of(&src, s.at.line, s.at.column);
            prop_assert!(src[offset..].starts_with(&s.text), "{:?} at {:?}", s.text, s.at);
            prop_assert!(offset >= last);
            last = offset + s.text.len();
        }
    }
}

fn offset_of(src: &str, line: u32, column: u32) -> usize {
    let line_start = if line == 1 {
        0
    } else {
        src.match_indices('\n').nth(line as usize - 2).unwrap().0 + 1
    };
    src[line_start..]
        .char_indices()
        .nth(column as usize - 1)
        .map_or(src.len(), |(i, _)| line_start + i)
}
