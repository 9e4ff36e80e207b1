//! The four CDNs' documented limits, and the response header each reads its tags from.
//! Every limit lives here, once; tagging, batching and the executors read it from here.

use std::fmt;

/// A CDN (or edge cache) whose tag header and limits this crate knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cdn {
    /// Varnish Cache with vmod-xkey (`varnish-modules`).
    Varnish,
    /// Fastly surrogate keys.
    Fastly,
    /// Cloudflare cache tags (Enterprise).
    Cloudflare,
    /// Akamai cache tags (Fast Purge).
    Akamai,
}

/// One CDN's limits, and the response header it reads tags from.
///
/// | | response header | separator | tags per object | header bytes | tags per purge request | purge request bytes |
/// |---|---|---|---|---|---|---|
/// | Varnish + vmod-xkey | `xkey` | space | — | 8 000 (`http_resp_hdr_len` 8 KiB) | — | 8 000 (`http_req_hdr_len` 8 KiB) |
/// | Fastly | `Surrogate-Key` | space | — | 16 384 | 256 | — |
/// | Cloudflare | `Cache-Tag` | comma | 1 000 | 16 000 (16 KB) | 100 | — |
/// | Akamai | `Edge-Cache-Tag` | comma | 128 | — | — | 50 000 |
///
/// Sources are cited in the crate README ("Edge caches"). Tags themselves are at most
/// [`MAX_TAG_LEN`](super::MAX_TAG_LEN) = 128 characters of `[a-z0-9._-]` (Akamai's limit and
/// alphabet, the strictest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CdnLimits {
    /// The response header the CDN reads tags from.
    pub response_header: &'static str,
    /// What separates tags in that header.
    pub separator: char,
    /// The most tags one cached object may carry (`usize::MAX`: no documented count).
    pub max_tags_per_object: usize,
    /// The most bytes of tags (with separators) one response header may carry.
    pub max_header_bytes: usize,
    /// The most tags one purge request may name.
    pub max_tags_per_purge: usize,
    /// The most bytes of tags one purge request may carry: the purge header's value for
    /// Varnish, the JSON body for the APIs (each tag counted with [`purge_tag_overhead`](Self::purge_tag_overhead)).
    pub max_purge_bytes: usize,
    /// The response header telling a hit from a miss (its value contains `MISS` on a miss).
    pub cache_status_header: &'static str,
    /// Bytes a purge request spends per tag beyond the tag itself (a separator, or quotes and
    /// a comma in JSON).
    pub purge_tag_overhead: usize,
}

const VARNISH: CdnLimits = CdnLimits {
    cache_status_header: "x-cache",
    response_header: "xkey",
    separator: ' ',
    max_tags_per_object: usize::MAX,
    max_header_bytes: 8_000,
    max_tags_per_purge: usize::MAX,
    max_purge_bytes: 8_000,
    purge_tag_overhead: 1,
};

const FASTLY: CdnLimits = CdnLimits {
    cache_status_header: "x-cache",
    response_header: "Surrogate-Key",
    separator: ' ',
    max_tags_per_object: usize::MAX,
    max_header_bytes: 16_384,
    max_tags_per_purge: 256,
    max_purge_bytes: usize::MAX,
    purge_tag_overhead: 3,
};

const CLOUDFLARE: CdnLimits = CdnLimits {
    cache_status_header: "cf-cache-status",
    response_header: "Cache-Tag",
    separator: ',',
    max_tags_per_object: 1_000,
    max_header_bytes: 16_000,
    max_tags_per_purge: 100,
    max_purge_bytes: usize::MAX,
    purge_tag_overhead: 3,
};

const AKAMAI: CdnLimits = CdnLimits {
    cache_status_header: "x-cache",
    response_header: "Edge-Cache-Tag",
    separator: ',',
    max_tags_per_object: 128,
    max_header_bytes: usize::MAX,
    max_tags_per_purge: usize::MAX,
    // The Fast Purge API refuses bodies over 50 000 bytes; keep room for the envelope.
    max_purge_bytes: 49_000,
    purge_tag_overhead: 3,
};

impl Cdn {
    /// Every CDN, in a fixed order.
    pub const ALL: [Cdn; 4] = [Cdn::Varnish, Cdn::Fastly, Cdn::Cloudflare, Cdn::Akamai];

    /// The CDN's limits.
    ///
    /// ```
    /// use cache_contract::edge::Cdn;
    /// assert_eq!(Cdn::Fastly.limits().max_tags_per_purge, 256);
    /// assert_eq!(Cdn::Cloudflare.limits().response_header, "Cache-Tag");
    /// ```
    pub const fn limits(self) -> &'static CdnLimits {
        match self {
            Cdn::Varnish => &VARNISH,
            Cdn::Fastly => &FASTLY,
            Cdn::Cloudflare => &CLOUDFLARE,
            Cdn::Akamai => &AKAMAI,
        }
    }

    /// The CDN's name in plans, metrics and logs: `varnish`, `fastly`, `cloudflare`, `akamai`.
    pub const fn name(self) -> &'static str {
        match self {
            Cdn::Varnish => "varnish",
            Cdn::Fastly => "fastly",
            Cdn::Cloudflare => "cloudflare",
            Cdn::Akamai => "akamai",
        }
    }
}

impl fmt::Display for Cdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
