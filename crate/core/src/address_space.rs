//! IP address spaces (Local Network Access): whether a host or an address is
//! on the loopback interface, on a local network, or public, read from what
//! `webRequest` gives — the URL's host, or the `ip` where it reports one.
//!
//! Chromium asks the user before a page of a more public space reaches a
//! less public one (docs/browser-facts.md, "Local Network Access"). A host
//! name other than `localhost` and `.local` says nothing by itself: its
//! space is [`AddressSpace::Unknown`] until an address tells.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Where an address is, from the most private to the most public.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressSpace {
    /// 127.0.0.0/8, `::1`, `localhost` and its subdomains.
    Loopback,
    /// A local network: RFC 1918 (10/8, 172.16/12, 192.168/16), link-local
    /// 169.254/16 and fe80::/10, shared address space 100.64.0.0/10 (CGNAT),
    /// unique local fc00::/7, and `.local` (multicast DNS) names.
    Local,
    /// Any other address.
    Public,
    /// A host name: its address decides, and the URL does not tell it.
    Unknown,
}

impl AddressSpace {
    /// The space of an address (an IPv4-mapped IPv6 address is read as its
    /// IPv4 address).
    pub fn of_ip(ip: IpAddr) -> AddressSpace {
        match ip {
            IpAddr::V4(v4) => of_v4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => of_v4(v4),
                None => of_v6(v6),
            },
        }
    }

    /// The space of an address as `webRequest` spells it (`ip`: `127.0.0.1`,
    /// `::1`, with or without brackets); `None` when it is not an address.
    pub fn of_ip_text(text: &str) -> Option<AddressSpace> {
        let bare = text.trim().trim_start_matches('[').trim_end_matches(']');
        bare.parse::<IpAddr>().ok().map(AddressSpace::of_ip)
    }

    /// The space of a URL's host: an address literal by its address,
    /// `localhost` (and `*.localhost`) loopback, `*.local` local, any other
    /// name unknown; `None` for a URL without a host.
    pub fn of_url(url: &str) -> Option<AddressSpace> {
        let parsed = Url::parse(url).ok()?;
        Some(match parsed.host()? {
            Host::Ipv4(v4) => of_v4(v4),
            Host::Ipv6(v6) => AddressSpace::of_ip(IpAddr::V6(v6)),
            Host::Domain(name) => of_name(name),
        })
    }

    /// Whether a request from a page in `self` to `target` is one Chromium
    /// asks the user about: the target is known to be less public than the
    /// page. A page of unknown space counts as public (a site on the
    /// Internet), never a target of unknown space.
    pub fn needs_permission_for(self, target: AddressSpace) -> bool {
        let rank = |space: AddressSpace| match space {
            AddressSpace::Loopback => Some(0),
            AddressSpace::Local => Some(1),
            AddressSpace::Public | AddressSpace::Unknown => Some(2),
        };
        let page = rank(self);
        let target = match target {
            AddressSpace::Unknown => None,
            known => rank(known),
        };
        matches!((page, target), (Some(p), Some(t)) if t < p)
    }

    /// Whether a page of this origin is a secure context, as far as its
    /// origin tells (a browser flag can make more origins count): `https:`,
    /// `wss:`, or a loopback host. Only a secure page may ask the user for
    /// local network access.
    pub fn is_secure_context(origin: &str) -> bool {
        let Ok(url) = Url::parse(origin) else {
            return false;
        };
        matches!(url.scheme(), "https" | "wss")
            || AddressSpace::of_url(origin) == Some(AddressSpace::Loopback)
    }

    /// The name Chromium's messages give the space (`loopback`, `local`,
    /// `public`); `unknown` for a name.
    pub fn id(self) -> &'static str {
        match self {
            AddressSpace::Loopback => "loopback",
            AddressSpace::Local => "local",
            AddressSpace::Public => "public",
            AddressSpace::Unknown => "unknown",
        }
    }
}

fn of_v4(ip: Ipv4Addr) -> AddressSpace {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        AddressSpace::Loopback
    } else if ip.is_private() || ip.is_link_local() || (a == 100 && (64..128).contains(&b)) {
        AddressSpace::Local
    } else {
        AddressSpace::Public
    }
}

fn of_v6(ip: Ipv6Addr) -> AddressSpace {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        AddressSpace::Loopback
    } else if first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfe80 {
        AddressSpace::Local
    } else {
        AddressSpace::Public
    }
}

fn of_name(name: &str) -> AddressSpace {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        AddressSpace::Loopback
    } else if name.ends_with(".local") {
        AddressSpace::Local
    } else {
        AddressSpace::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::AddressSpace::{self, *};

    #[test]
    fn urls_are_placed_in_the_space_of_their_host() {
        let cases = [
            ("http://127.0.0.1:8080/api", Some(Loopback)),
            ("http://127.8.9.10/", Some(Loopback)),
            ("http://[::1]:3000/", Some(Loopback)),
            ("http://localhost:5173/", Some(Loopback)),
            ("http://LOCALHOST./", Some(Loopback)),
            ("http://app.localhost/", Some(Loopback)),
            ("http://10.0.0.1/", Some(Local)),
            ("http://172.16.0.1/", Some(Local)),
            ("http://172.31.255.255/", Some(Local)),
            ("http://192.168.1.1/", Some(Local)),
            ("http://169.254.169.254/latest", Some(Local)),
            ("http://100.64.0.1/", Some(Local)),
            ("http://100.127.255.255/", Some(Local)),
            ("http://[fd12:3456::1]/", Some(Local)),
            ("http://[fe80::1]/", Some(Local)),
            ("http://printer.local/", Some(Local)),
            ("http://[::ffff:192.168.0.2]/", Some(Local)),
            ("http://172.32.0.1/", Some(Public)),
            ("http://100.128.0.1/", Some(Public)),
            ("http://100.63.255.255/", Some(Public)),
            ("http://8.8.8.8/", Some(Public)),
            ("http://[2001:db8::1]/", Some(Public)),
            ("https://example.com/", Some(Unknown)),
            ("https://local.example.com/", Some(Unknown)),
            ("https://localhost.example.com/", Some(Unknown)),
            ("data:text/plain,x", None),
            ("not a url", None),
        ];
        for (url, want) in cases {
            assert_eq!(AddressSpace::of_url(url), want, "{url}");
        }
    }

    #[test]
    fn secure_contexts_are_https_or_loopback_pages() {
        let cases = [
            ("https://app.example.com", true),
            ("http://127.0.0.1:8080", true),
            ("http://localhost:5173", true),
            ("http://[::1]:3000", true),
            ("http://app.example.com", false),
            ("http://192.168.1.5", false),
            ("null", false),
            ("", false),
        ];
        for (origin, want) in cases {
            assert_eq!(AddressSpace::is_secure_context(origin), want, "{origin:?}");
        }
    }

    #[test]
    fn webrequest_ip_fields_are_read_with_or_without_brackets() {
        let cases = [
            ("127.0.0.1", Some(Loopback)),
            ("::1", Some(Loopback)),
            ("[::1]", Some(Loopback)),
            ("192.168.0.10", Some(Local)),
            ("93.184.216.34", Some(Public)),
            ("", None),
            ("localhost", None),
        ];
        for (ip, want) in cases {
            assert_eq!(AddressSpace::of_ip_text(ip), want, "{ip:?}");
        }
    }

    #[test]
    fn only_a_target_known_to_be_less_public_than_the_page_needs_permission() {
        let cases = [
            (Public, Loopback, true),
            (Public, Local, true),
            (Unknown, Loopback, true),
            (Unknown, Local, true),
            (Local, Loopback, true),
            (Local, Local, false),
            (Loopback, Loopback, false),
            (Loopback, Local, false),
            (Public, Public, false),
            (Public, Unknown, false),
            (Loopback, Unknown, false),
            (Unknown, Unknown, false),
        ];
        for (page, target, want) in cases {
            assert_eq!(
                page.needs_permission_for(target),
                want,
                "{page:?} -> {target:?}"
            );
        }
    }
}
