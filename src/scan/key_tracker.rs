//! Spotting request keys seen before, in little memory.
//!
//! Users have reported batch output files with several responses for one
//! key, each billed. A file can hold millions of keys, so the tracker keeps
//! neither the key nor a map entry per key, but one 16-byte word: the top
//! 88 bits of the key's 128-bit hash (a collision among a billion keys has
//! odds near 10^-9, and would only list a response as a repeat, never
//! change a sum) and, in the low 40 bits, the line it was first seen on (up
//! to a trillion lines): a repeat is reported as "key `k` on line 9 repeats
//! line 3", and with a stream there is no going back to find line 3 later.
//! A key costs 16 bytes in a table kept between half and seven eighths
//! full: 18 to 37 bytes a key.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// Bits of a [`Sighting`] that hold the line.
const LINE_BITS: u32 = 40;

/// The largest line a [`Sighting`] holds; later lines are kept as this.
const LAST_LINE: u64 = (1 << LINE_BITS) - 1;

/// Whether a key was seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySighting {
    /// The first time.
    First,
    /// Seen before, first on this line.
    Repeat {
        /// The 1-based line the key was first seen on.
        first_line: u64,
    },
}

/// A key's hash (the top 88 bits) and its first line (the low 40), equal
/// and hashed by the hash alone.
#[derive(Debug, Clone, Copy)]
struct Sighting(u128);

impl Sighting {
    fn new(key: &str, line: u64) -> Sighting {
        let hash = xxhash_rust::xxh3::xxh3_128(key.as_bytes()) >> LINE_BITS << LINE_BITS;
        Sighting(hash | u128::from(line.min(LAST_LINE)))
    }

    fn line(self) -> u64 {
        (self.0 & u128::from(LAST_LINE)) as u64
    }
}

impl PartialEq for Sighting {
    fn eq(&self, other: &Sighting) -> bool {
        self.0 >> LINE_BITS == other.0 >> LINE_BITS
    }
}

impl Eq for Sighting {}

impl Hash for Sighting {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The top 64 bits: hash bits only, already uniform.
        state.write_u64((self.0 >> 64) as u64);
    }
}

/// Remembers which keys were seen and on which line first.
#[derive(Debug, Default, Clone)]
pub struct KeyTracker {
    seen: HashSet<Sighting, BuildHasherDefault<FoldHasher>>,
}

impl KeyTracker {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `key` as seen on `line` and says whether it was seen before.
    pub fn see(&mut self, key: &str, line: u64) -> KeySighting {
        let sighting = Sighting::new(key, line);
        match self.seen.get(&sighting) {
            Some(first) => KeySighting::Repeat { first_line: first.line() },
            None => {
                self.seen.insert(sighting);
                KeySighting::First
            }
        }
    }
}

/// The map's keys are already uniform hashes: folding them is enough, and
/// spares hashing them again.
#[derive(Debug, Default, Clone, Copy)]
struct FoldHasher(u64);

impl Hasher for FoldHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_repeats_with_the_first_line() {
        let mut keys = KeyTracker::new();
        let sightings: Vec<KeySighting> = [("a", 1), ("b", 2), ("a", 3), ("a", 4), ("", 5), ("", 6)]
            .into_iter()
            .map(|(key, line)| keys.see(key, line))
            .collect();
        assert_eq!(
            sightings,
            [
                KeySighting::First,
                KeySighting::First,
                KeySighting::Repeat { first_line: 1 },
                KeySighting::Repeat { first_line: 1 },
                KeySighting::First,
                KeySighting::Repeat { first_line: 5 },
            ]
        );
        assert_eq!(keys.seen.len(), 3);
    }

    #[test]
    fn tells_apart_many_similar_keys() {
        let mut keys = KeyTracker::new();
        for index in 0..100_000u64 {
            assert_eq!(keys.see(&format!("req-{index}"), index + 1), KeySighting::First);
        }
        assert_eq!(keys.see("req-99999", 0), KeySighting::Repeat { first_line: 100_000 });
    }

    #[test]
    fn keeps_a_key_in_sixteen_bytes_and_lines_up_to_a_trillion() {
        assert_eq!(std::mem::size_of::<Sighting>(), 16);
        let mut keys = KeyTracker::new();
        assert_eq!(keys.see("far", LAST_LINE), KeySighting::First);
        assert_eq!(keys.see("far", 1), KeySighting::Repeat { first_line: LAST_LINE });
        assert_eq!(keys.see("farther", u64::MAX), KeySighting::First);
        assert_eq!(keys.see("farther", 1), KeySighting::Repeat { first_line: LAST_LINE });
    }
}
