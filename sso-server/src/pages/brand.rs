//! The operator's brand on the hosted pages: one `<style>` element, built
//! from the configured colours (checked as `#rgb`/`#rrggbb` at load) and
//! allowed by its hash, and the logo's origin for `img-src`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use sso_core::config::Branding;

/// The layout; the brand's colours come first as custom properties.
const LAYOUT: &str = include_str!("../../templates/hosted.css");

pub struct BrandStyle {
    /// The text of the `<style>` element.
    pub css: String,
    /// `sha256-…` of it, for `style-src`.
    pub hash: String,
    /// `scheme://host[:port]` of the logo, for `img-src`.
    pub logo_origin: Option<String>,
}

impl BrandStyle {
    /// The policy a page in this style needs: its style element and the
    /// logo's origin (add what else the page needs).
    pub fn csp(&self) -> super::Csp<'_> {
        super::Csp {
            style_hash: Some(&self.hash),
            img: self.logo_origin.as_deref(),
            ..super::Csp::default()
        }
    }

    pub fn of(brand: &Branding) -> Self {
        let css = format!(
            ":root{{--accent:{};--background:{}}}\n{LAYOUT}",
            brand.accent_color, brand.background_color
        );
        let hash = format!("sha256-{}", STANDARD.encode(Sha256::digest(css.as_bytes())));
        let logo_origin = brand
            .logo_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .map(|u| u.origin().ascii_serialization());
        Self {
            css,
            hash,
            logo_origin,
        }
    }
}
