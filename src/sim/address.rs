//! Client addresses a scenario lists (`traffic.addresses`): single IPv4 or IPv6 addresses and
//! CIDR blocks, so a class can ask "where do these ten addresses go?" of an address hash.
//!
//! Client `i` takes the `i`-th address of the list with its blocks expanded in order (wrapping
//! around when there are more clients than addresses, so that clients share an address as they
//! would behind a NAT). A block is written with its network address (`10.0.0.0/30` is 10.0.0.0 to
//! 10.0.0.3); host bits set after the prefix are an error rather than a silent correction.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// The most entries `traffic.addresses` may have.
pub const MAX_BLOCKS: usize = 1_000;

/// One entry of `traffic.addresses`: an address, or a block of `2^(bits - prefix)` of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressBlock {
    /// The first address (the network address of a block).
    first: IpAddr,
    /// The prefix length: 32 (IPv4) or 128 (IPv6) for a single address.
    prefix: u8,
}

impl AddressBlock {
    /// How many addresses it holds, capped at 2^32 (more than there can be clients).
    pub fn size(&self) -> u64 {
        let host_bits = u32::from(bits(self.first) - self.prefix);
        1u64 << host_bits.min(32)
    }

    /// Its `n`-th address, `n` below [`AddressBlock::size`].
    pub fn nth(&self, n: u64) -> IpAddr {
        match self.first {
            IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(a).wrapping_add(n as u32))),
            IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(u128::from(a).wrapping_add(u128::from(n)))),
        }
    }
}

/// The address of client `client` in `blocks` (not empty): the blocks expanded in order,
/// wrapping around.
pub fn nth_address(blocks: &[AddressBlock], client: u32) -> IpAddr {
    let total: u64 = blocks.iter().map(AddressBlock::size).sum();
    let mut n = u64::from(client) % total;
    for block in blocks {
        if n < block.size() {
            return block.nth(n);
        }
        n -= block.size();
    }
    unreachable!("n is below the total of the blocks' lengths")
}

fn bits(a: IpAddr) -> u8 {
    match a {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

impl fmt::Display for AddressBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix == bits(self.first) {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}/{}", self.first, self.prefix)
        }
    }
}

impl FromStr for AddressBlock {
    type Err = String;

    fn from_str(text: &str) -> Result<AddressBlock, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let first: IpAddr = address
            .parse()
            .map_err(|_| format!("{address:?} is not an IPv4 or IPv6 address"))?;
        let max = bits(first);
        let prefix = match prefix {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(p) if p <= max => p,
                _ => return Err(format!("the prefix /{p} is not 0 to {max}")),
            },
        };
        let value = match first {
            IpAddr::V4(a) => u128::from(u32::from(a)),
            IpAddr::V6(a) => u128::from(a),
        };
        let host_bits = u32::from(max - prefix);
        let mask = u128::MAX.checked_shr(128 - host_bits).unwrap_or(0);
        let host = value & mask;
        if host != 0 {
            let network = AddressBlock {
                first: match first {
                    IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from((value - host) as u32)),
                    IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(value - host)),
                },
                prefix,
            };
            return Err(format!(
                "{text} has host bits set after the prefix: the block is {network}"
            ));
        }
        Ok(AddressBlock { first, prefix })
    }
}

impl serde::Serialize for AddressBlock {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for AddressBlock {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<AddressBlock, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(list: &[&str]) -> Vec<AddressBlock> {
        list.iter().map(|b| b.parse().unwrap()).collect()
    }

    #[test]
    fn blocks_expand_in_order_and_wrap_around() {
        let list = blocks(&["192.0.2.10", "10.0.0.0/30", "2001:db8::/127"]);
        let got: Vec<String> = (0..8).map(|c| nth_address(&list, c).to_string()).collect();
        assert_eq!(
            got,
            [
                "192.0.2.10",
                "10.0.0.0",
                "10.0.0.1",
                "10.0.0.2",
                "10.0.0.3",
                "2001:db8::",
                "2001:db8::1",
                "192.0.2.10"
            ]
        );
    }

    #[test]
    fn written_as_read() {
        for text in [
            "10.0.0.0/8",
            "192.0.2.1",
            "::/0",
            "0.0.0.0/0",
            "2001:db8::1",
        ] {
            assert_eq!(text.parse::<AddressBlock>().unwrap().to_string(), text);
        }
        assert_eq!("::/0".parse::<AddressBlock>().unwrap().size(), 1 << 32);
        assert_eq!("0.0.0.0/0".parse::<AddressBlock>().unwrap().size(), 1 << 32);
    }

    #[test]
    fn bad_entries_say_what_is_wrong() {
        let err = |t: &str| t.parse::<AddressBlock>().unwrap_err();
        assert_eq!(
            err("10.0.0.300"),
            "\"10.0.0.300\" is not an IPv4 or IPv6 address"
        );
        assert_eq!(err("10.0.0.0/33"), "the prefix /33 is not 0 to 32");
        assert_eq!(err("2001:db8::/129"), "the prefix /129 is not 0 to 128");
        assert_eq!(
            err("10.0.0.5/24"),
            "10.0.0.5/24 has host bits set after the prefix: the block is 10.0.0.0/24"
        );
        assert_eq!(
            err("2001:db8::1/64"),
            "2001:db8::1/64 has host bits set after the prefix: the block is 2001:db8::/64"
        );
    }
}
