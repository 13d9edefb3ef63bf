// This site's part of the demo: its client, segment and look. News has a
// backend (the www binary's /account/...) that keeps accounts of its own,
// and shows the person's sessions (the SSO server's /entity/sessions).
var SITE = { client_id: "news", segment: "news", supported_segments: "news-sport", name: "News", brand: "#1f4e9c", backend: true, sessions: true };
