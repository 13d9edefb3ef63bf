//! The `store` setting: the embedded store, one Redis node, or a Redis
//! Cluster, parsed once at start-up. Passwords never reach a log line or an
//! error message.

/// Where the server keeps its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSettings {
    /// In-process (`memory`): one instance, nothing survives a restart.
    Memory,
    /// One Redis node: `redis://[user:password@]host:port/db`, `rediss://` for TLS.
    Redis(String),
    /// A Redis Cluster: a URL per seed node, credentials and TLS in each.
    RedisCluster(Vec<String>),
}

const CLUSTER: &str = "redis+cluster://";
const CLUSTER_TLS: &str = "rediss+cluster://";
/// More seed nodes than any cluster needs to be found; bounds the parse.
const MAX_SEEDS: usize = 64;

impl StoreSettings {
    /// `memory`, `redis://…`, `rediss://…`, `redis+cluster://h1:p1,h2:p2`
    /// or `rediss+cluster://…`. The error names what is wrong, without the
    /// password.
    pub fn parse(s: &str) -> Result<Self, String> {
        if s == "memory" {
            return Ok(Self::Memory);
        }
        if s.starts_with("redis://") || s.starts_with("rediss://") {
            check_node(s)?;
            return Ok(Self::Redis(s.to_owned()));
        }
        let (scheme, rest) = if let Some(rest) = s.strip_prefix(CLUSTER) {
            ("redis", rest)
        } else if let Some(rest) = s.strip_prefix(CLUSTER_TLS) {
            ("rediss", rest)
        } else {
            return Err(format!(
                "store `{}` must be \"memory\", a redis:// (or rediss://) URL, \
                 or a redis+cluster:// (or rediss+cluster://) URL",
                redact_url(s)
            ));
        };
        let shown = redact_url(s);
        // The hosts end at the first '/', '?' or '#'; what follows (a TLS
        // fragment such as `#insecure`, a `?protocol=`) applies to every node.
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, suffix) = rest.split_at(end);
        let path_end = suffix.find(['?', '#']).unwrap_or(suffix.len());
        if !matches!(&suffix[..path_end], "" | "/" | "/0") {
            return Err(format!(
                "store `{shown}`: a cluster has only database 0; drop `{}`",
                &suffix[..path_end]
            ));
        }
        let suffix = &suffix[path_end..];
        let (userinfo, hosts) = match authority.rsplit_once('@') {
            Some((user, hosts)) => (format!("{user}@"), hosts),
            None => (String::new(), authority),
        };
        let seeds: Vec<&str> = hosts.split(',').collect();
        if seeds.len() > MAX_SEEDS {
            return Err(format!(
                "store `{shown}`: at most {MAX_SEEDS} seed nodes (any one of a cluster finds the rest)"
            ));
        }
        let mut nodes = Vec::with_capacity(seeds.len());
        for seed in seeds {
            let (host, port) = seed
                .rsplit_once(':')
                .ok_or_else(|| format!("store `{shown}`: seed node `{seed}` must be host:port"))?;
            if host.is_empty() || port.parse::<u16>().map_or(true, |p| p == 0) {
                return Err(format!(
                    "store `{shown}`: seed node `{seed}` must be host:port with a port of 1 to 65535"
                ));
            }
            let node = format!("{scheme}://{userinfo}{seed}/{suffix}");
            check_node(&node).map_err(|e| format!("store `{shown}`: {e}"))?;
            nodes.push(node);
        }
        Ok(Self::RedisCluster(nodes))
    }

    /// What the server logs at start: the kind and where, without passwords.
    pub fn describe(&self) -> String {
        match self {
            Self::Memory => "memory (in-process; state is lost on restart)".to_owned(),
            Self::Redis(url) => redact_url(url),
            Self::RedisCluster(nodes) => format!(
                "redis cluster, seeds {}",
                nodes
                    .iter()
                    .map(|n| redact_url(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// The redis crate's own check of a node URL, its message without the URL.
fn check_node(url: &str) -> Result<(), String> {
    redis::Client::open(url)
        .map(drop)
        .map_err(|e| format!("store `{}` is not a valid Redis URL: {e}", redact_url(url)))
}

/// A URL with the password in its user part replaced, for logs, errors and
/// `check-config`. Works on cluster URLs too (several hosts after the `@`).
pub fn redact_url(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    let Some(at) = url[start..end].rfind('@').map(|i| start + i) else {
        return url.to_owned();
    };
    match url[start..at].split_once(':') {
        Some((user, _)) => format!("{}{user}:REDACTED{}", &url[..start], &url[at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_url_becomes_a_url_per_seed_with_its_credentials_and_tls() {
        let parsed = StoreSettings::parse(
            "rediss+cluster://app:s3cret@10.0.0.1:7000,10.0.0.2:7001/#insecure",
        )
        .unwrap();
        assert_eq!(
            parsed,
            StoreSettings::RedisCluster(vec![
                "rediss://app:s3cret@10.0.0.1:7000/#insecure".into(),
                "rediss://app:s3cret@10.0.0.2:7001/#insecure".into(),
            ])
        );
        assert!(
            !parsed.describe().contains("s3cret"),
            "{}",
            parsed.describe()
        );
    }

    #[test]
    fn bad_store_urls_are_named_without_their_password() {
        for (url, expect) in [
            (
                "redis+cluster://:pw@h1:7000,h2",
                "seed node `h2` must be host:port",
            ),
            ("redis+cluster://:pw@h1:0", "port of 1 to 65535"),
            ("redis+cluster://:pw@h1:7000/3", "only database 0"),
            ("postgres://:pw@h1", "must be \"memory\""),
        ] {
            let err = StoreSettings::parse(url).unwrap_err();
            assert!(err.contains(expect), "{url}: {err}");
            assert!(!err.contains("pw@"), "{url} leaks its password: {err}");
        }
    }

    #[test]
    fn redaction_keeps_the_user_and_hosts() {
        assert_eq!(
            redact_url("redis://app:pw@h:6379/0"),
            "redis://app:REDACTED@h:6379/0"
        );
        assert_eq!(redact_url("redis://h:6379/0"), "redis://h:6379/0");
        assert_eq!(
            redact_url("redis+cluster://:pw@a:1,b:2"),
            "redis+cluster://:REDACTED@a:1,b:2"
        );
    }
}
