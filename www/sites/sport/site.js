// This site's part of the demo: its client, segment and look.
var SITE = { client_id: "sport", segment: "sport", supported_segments: "news-sport", name: "Sport", brand: "#1b7f3b" };
