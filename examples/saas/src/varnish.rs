//! A local varnishd (with vmod-xkey) in front of the service: the library's reference VCL,
//! its own work directory, on a loopback port; stopped (manager and cache process) on drop,
//! also when a test panics.
//!
//! This file depends only on std, `tempfile`, `libc`, `http`, tokio and
//! `cache_contract::edge`, so cache-contract's own edge tests include it as it is.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cache_contract::edge::HttpClient;

/// A running varnishd; see the [module docs](self).
pub struct Varnishd {
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    backend_port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
    starts: u32,
}

impl std::fmt::Debug for Varnishd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Varnishd")
            .field("port", &self.port)
            .field("backend_port", &self.backend_port)
            .finish_non_exhaustive()
    }
}

/// A free loopback port (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("binding a loopback port")
}

/// `varnishd` from PATH, or where Debian installs it (`/usr/sbin`, not on every PATH).
fn varnishd() -> &'static str {
    let on_path = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("varnishd").exists()));
    if on_path {
        "varnishd"
    } else {
        "/usr/sbin/varnishd"
    }
}

impl Varnishd {
    /// Starts varnishd on 127.0.0.1:`port` (0: a free port) in front of 127.0.0.1:
    /// `backend_port`, and waits until its VCL answers.
    pub async fn start(port: u16, backend_port: u16) -> Result<Self, String> {
        let mut v = Varnishd {
            port: if port == 0 { free_port() } else { port },
            backend_port,
            dir: tempfile::tempdir().map_err(|e| format!("creating a work directory: {e}"))?,
            child: None,
            starts: 0,
        };
        v.restart().await?;
        Ok(v)
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// (Re)starts on the same port, with an empty cache.
    pub async fn restart(&mut self) -> Result<(), String> {
        assert!(self.child.is_none(), "varnishd already running");
        let vcl = self.dir.path().join("edge.vcl");
        std::fs::write(
            &vcl,
            cache_contract::edge::vcl("127.0.0.1", self.backend_port),
        )
        .map_err(|e| format!("writing {}: {e}", vcl.display()))?;
        self.starts += 1;
        let workdir = self.dir.path().join(format!("n{}", self.starts));
        let child = Command::new(varnishd())
            .arg("-F")
            .arg("-n")
            .arg(&workdir)
            .args(["-a", &format!("127.0.0.1:{}", self.port)])
            .arg("-f")
            .arg(&vcl)
            .args(["-s", "malloc,64m", "-T", "none"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start varnishd ({e}): install Varnish with vmod-xkey, `apt-get install varnish varnish-modules`"
                )
            })?;
        self.child = Some(child);
        let client = HttpClient::new(Duration::from_millis(500));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // The reference VCL answers a PURGE without a tag header with a 400: proof that
            // it is loaded.
            let probe = http::Request::builder()
                .method("PURGE")
                .uri(format!("{}/", self.url()))
                .body(Default::default())
                .expect("a probe request");
            if let Ok(reply) = client.send(probe).await
                && reply.status == 400
            {
                return Ok(());
            }
            let child = self.child.as_mut().expect("started above");
            if let Ok(Some(status)) = child.try_wait() {
                let mut err = String::new();
                if let Some(mut stderr) = child.stderr.take() {
                    use std::io::Read;
                    let _ = stderr.read_to_string(&mut err);
                }
                self.child = None;
                return Err(format!(
                    "varnishd exited ({status}) on port {}: {}",
                    self.port,
                    err.trim()
                ));
            }
            if Instant::now() > deadline {
                self.stop();
                return Err(format!(
                    "varnishd did not answer on port {} within 20 s",
                    self.port
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops varnishd (the manager and its cache process).
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let group = -(child.id() as i32);
        // SAFETY: signals the process group this value started (`process_group(0)`).
        unsafe { libc::kill(group, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // Whatever is left of the group (a cache process outliving its manager).
        // SAFETY: as above.
        unsafe { libc::kill(group, libc::SIGKILL) };
        let _ = child.wait();
    }
}

impl Drop for Varnishd {
    fn drop(&mut self) {
        self.stop();
    }
}
