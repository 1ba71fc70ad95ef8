//! TLS modes against this test binary's own cluster with TLS turned on: a throwaway CA
//! signs a certificate for `localhost`, and each sslmode accepts or refuses it the way
//! libpq does. Uses the `openssl` command to make the certificates.

mod support;

use pgparity::sources::live::{ConnectionSettings, LiveError, LiveSession, SessionOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::pg::{explain, local_cluster};

fn openssl(args: &[&str], dir: &Path) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|error| panic!("the openssl command is needed for TLS tests: {error}"));
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Turns TLS on in the local cluster once; returns the CA certificate's path.
fn tls_root_certificate() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let cluster = local_cluster();
        let dir = cluster
            .data_dir
            .parent()
            .expect("the data folder has a parent")
            .join("tls");
        std::fs::create_dir_all(&dir).expect("tls folder");
        openssl(
            &[
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ]
            .into_iter()
            .chain([
                "-subj",
                "/CN=pgparity test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
            ])
            .collect::<Vec<_>>(),
            &dir,
        );
        openssl(
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=localhost",
            ]
            .into_iter()
            .chain(["-keyout", "server.key", "-out", "server.csr"])
            .collect::<Vec<_>>(),
            &dir,
        );
        std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\n").expect("ext");
        openssl(
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
            ]
            .into_iter()
            .chain(["-CAcreateserial", "-days", "2", "-out", "server.crt"])
            .chain(["-extfile", "san.ext"])
            .collect::<Vec<_>>(),
            &dir,
        );
        if cluster.as_postgres_user {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .expect("chown");
            assert!(status.success(), "chown of the TLS files failed");
        }
        std::fs::set_permissions(
            dir.join("server.key"),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .expect("key permissions");
        let server = &cluster.server;
        let mut client = server.client(&server.maintenance_db);
        for statement in [
            format!(
                "ALTER SYSTEM SET ssl_cert_file = '{}'",
                dir.join("server.crt").display()
            ),
            format!(
                "ALTER SYSTEM SET ssl_key_file = '{}'",
                dir.join("server.key").display()
            ),
            "ALTER SYSTEM SET ssl = on".to_string(),
            "SELECT pg_reload_conf()".to_string(),
        ] {
            client
                .batch_execute(&statement)
                .unwrap_or_else(|error| panic!("{statement}: {}", explain(&error)));
        }
        let ca = dir.join("ca.pem");
        let deadline = Instant::now() + Duration::from_secs(10);
        while connect("require", "127.0.0.1", None).is_err() {
            assert!(
                Instant::now() < deadline,
                "the server did not accept TLS after reload"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        ca
    })
}

fn connect(sslmode: &str, host: &str, root: Option<&Path>) -> Result<LiveSession, LiveError> {
    let server = &local_cluster().server;
    let mut url = format!(
        "postgres://{}:{}@{host}:{}/{}?sslmode={sslmode}",
        server.user, server.password, server.port, server.maintenance_db
    );
    if let Some(root) = root {
        url.push_str(&format!("&sslrootcert={}", root.display()));
    }
    let settings = ConnectionSettings::parse(&url).expect("URL parses");
    LiveSession::connect(&settings, &SessionOptions::default())
}

fn encrypted(session: &mut LiveSession) -> bool {
    session
        .query_text(
            "tls state",
            "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        )
        .expect("pg_stat_ssl")
        == [Some("true".to_string())]
}

#[test]
fn require_and_prefer_encrypt_without_verifying() {
    tls_root_certificate();
    let mut require = connect("require", "127.0.0.1", None).expect("require connects");
    assert!(encrypted(&mut require));
    let mut prefer = connect("prefer", "127.0.0.1", None).expect("prefer connects");
    assert!(encrypted(&mut prefer));
    let mut disable = connect("disable", "127.0.0.1", None).expect("disable connects");
    assert!(!encrypted(&mut disable));
}

#[test]
fn verify_ca_checks_the_chain_but_not_the_host_name() {
    let ca = tls_root_certificate();
    let mut session = connect("verify-ca", "127.0.0.1", Some(ca)).expect("the CA signed it");
    assert!(encrypted(&mut session));
    let error = connect("verify-ca", "127.0.0.1", None)
        .expect_err("the test CA is not among the system roots");
    assert!(matches!(error, LiveError::Tls { .. }), "{error}");
    assert!(!format!("{error:?}").contains(&local_cluster().server.password));
}

#[test]
fn verify_full_checks_the_host_name_too() {
    let ca = tls_root_certificate();
    let error = connect("verify-full", "127.0.0.1", Some(ca))
        .expect_err("the certificate is for localhost, not 127.0.0.1");
    assert!(matches!(error, LiveError::Tls { .. }), "{error}");
    let mut session =
        connect("verify-full", "localhost", Some(ca)).expect("the name matches localhost");
    assert!(encrypted(&mut session));
}
