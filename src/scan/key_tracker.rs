//! Spotting request keys seen before, in little memory.
//!
//! Users have reported batch output files with several responses for one
//! key, each billed. A file can hold millions of keys, so the tracker keeps
//! a 128-bit hash per key instead of the key itself (a collision among a
//! billion keys has odds near 10^-21), with the line it was first seen on:
//! a repeat is reported as "key `k` on line 9 repeats line 3", and with a
//! stream there is no going back to find line 3 later.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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

/// Remembers which keys were seen and on which line first.
#[derive(Debug, Default, Clone)]
pub struct KeyTracker {
    first_lines: HashMap<u128, u64, BuildHasherDefault<FoldHasher>>,
}

impl KeyTracker {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `key` as seen on `line` and says whether it was seen before.
    pub fn see(&mut self, key: &str, line: u64) -> KeySighting {
        let hash = xxhash_rust::xxh3::xxh3_128(key.as_bytes());
        match self.first_lines.entry(hash) {
            std::collections::hash_map::Entry::Occupied(entry) => {
                KeySighting::Repeat { first_line: *entry.get() }
            }
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(line);
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

    fn write_u128(&mut self, value: u128) {
        self.0 = (value as u64) ^ ((value >> 64) as u64);
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
        assert_eq!(keys.first_lines.len(), 3);
    }

    #[test]
    fn tells_apart_many_similar_keys() {
        let mut keys = KeyTracker::new();
        for index in 0..100_000u64 {
            assert_eq!(keys.see(&format!("req-{index}"), index + 1), KeySighting::First);
        }
        assert_eq!(keys.see("req-99999", 0), KeySighting::Repeat { first_line: 100_000 });
    }
}
