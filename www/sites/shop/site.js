// This site's part of the demo: its client, segment and look.
var SITE = { client_id: "shop", segment: "shop", supported_segments: "shop", name: "Shop", brand: "#9c3d1f" };
