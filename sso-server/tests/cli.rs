//! The `sso-server` binary itself: its subcommands and its log format.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sso-server");

/// `sso-server check-config` with these flags and environment variables.
fn check_config(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("check-config").args(args);
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.output().unwrap()
}

/// The same, which must succeed: what it printed, and that parsed as TOML.
fn checked_config(args: &[&str], env: &[(&str, &str)]) -> (String, toml::Table) {
    let out = check_config(args, env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let parsed = toml::from_str(&text).expect("the output is TOML");
    (text, parsed)
}

/// `gen-secret` prints a secret and the hash `hash-secret` gives for it.
#[test]
fn gen_secret_prints_a_secret_and_its_hash() {
    let out = Command::new(BIN).arg("gen-secret").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    };
    let (secret, hash) = (field("secret:"), field("secret_hash:"));
    assert!(secret.len() >= 43, "256 bits: {secret}");
    assert!(hash.starts_with("sha256:"), "{hash}");
    let mut child = Command::new(BIN)
        .arg("hash-secret")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "{secret}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), hash);
}

/// `--log-format json` (or `log_format = "json"`) writes one JSON object per
/// line, from the first line on.
#[test]
fn json_logs_are_one_object_per_line() {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
        .args(["--log-format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        let value: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(
            value["level"].is_string() && value["timestamp"].is_string(),
            "{line}"
        );
        let listening = value["message"] == "sso-server listening";
        seen.push(value);
        if listening {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let listening = seen
        .iter()
        .find(|v| v["message"] == "sso-server listening")
        .unwrap_or_else(|| panic!("no start line in {seen:?}"));
    assert!(
        listening["port"].as_u64().is_some_and(|p| p > 0),
        "{listening}"
    );
}

/// `check-config` prints the configuration that would run, overrides
/// applied and secrets redacted, and refuses an invalid one with status 2.
#[test]
fn check_config_prints_the_effective_configuration_without_secrets() {
    let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY";
    let (text, parsed) = checked_config(
        &[
            "--listen",
            "127.0.0.1:9999",
            "--store",
            "redis://:store-password@127.0.0.1:6379/0",
            "--access-token-key",
            key,
        ],
        &[(
            "SSO_EMAIL__SMTP_URL",
            "smtp://mailer:smtp-password@127.0.0.1:2525",
        )],
    );
    assert_eq!(parsed["listen"].as_str(), Some("127.0.0.1:9999"));
    assert!(parsed["clients"].as_array().is_some_and(|c| !c.is_empty()));
    assert!(
        !text.contains(key) && !text.contains("store-password") && !text.contains("smtp-password"),
        "{text}"
    );
    assert_eq!(
        parsed["email"]["smtp_url"].as_str(),
        Some("smtp://mailer:REDACTED@127.0.0.1:2525")
    );
    assert_eq!(parsed["access_token_key"].as_str(), Some("<redacted>"));

    let bad = check_config(&["--listen", "not an address"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(err.contains("listen"), "names what is wrong: {err}");
}

/// `gen-keys` writes a key file the server loads and prints the lines to
/// put in the configuration; it never overwrites a file.
#[test]
fn gen_keys_writes_a_key_file_the_server_loads() {
    let dir = std::env::temp_dir().join(format!("sso-gen-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = dir.join("id-token-keys.pem");
    let _ = std::fs::remove_file(&pem);
    let out = Command::new(BIN)
        .arg("gen-keys")
        .arg(&pem)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: toml::Table = toml::from_str(&text).expect("TOML lines");
    let key = lines["access_token_key"].as_str().unwrap();
    assert!(sso_core::config::AccessTokenKey::parse(key).is_ok());
    assert!(sso_core::oidc::SigningKeys::load(&pem).is_ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&pem).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "only the owner reads the key");
    }
    let again = Command::new(BIN)
        .arg("gen-keys")
        .arg(&pem)
        .output()
        .unwrap();
    assert!(!again.status.success(), "an existing key file is kept");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every key can come from an `SSO_` variable over the file, nested keys
/// with `__`; other `SSO_` variables are not configuration; a wrong name
/// or value under a key is refused, naming the variable.
#[test]
fn sso_variables_layer_over_the_file() {
    let (_, parsed) = checked_config(
        &[],
        &[
            ("SSO_RATE_LIMIT__ATTEMPTS_PER_IP", "7"),
            ("SSO_WORKERS", "3"),
            ("SSO_COOKIE__NAME", "site_family_sso"),
            ("SSO_SERVER_BIN", "/not/configuration"),
        ],
    );
    assert_eq!(
        parsed["rate_limit"]["attempts_per_ip"].as_integer(),
        Some(7)
    );
    assert_eq!(parsed["workers"].as_integer(), Some(3));
    assert_eq!(parsed["cookie"]["name"].as_str(), Some("site_family_sso"));

    // A flag still wins over the variable.
    let (_, parsed) = checked_config(
        &["--listen", "127.0.0.1:7001"],
        &[("SSO_LISTEN", "127.0.0.1:7002")],
    );
    assert_eq!(parsed["listen"].as_str(), Some("127.0.0.1:7001"));

    for (name, value, named) in [
        ("SSO_RATE_LIMIT__NOPE", "1", "NOPE"),
        ("SSO_WORKERS", "many", "WORKERS"),
    ] {
        let out = check_config(&[], &[(name, value)]);
        assert_eq!(out.status.code(), Some(2), "{name}={value}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(named), "{name}: {err}");
    }
}
