//! The embedded cards in compiled form. Each `rates/NAME.toml` is also kept
//! as `rates/compiled/NAME.bin`: the card as loaded and validated from that
//! TOML, encoded with postcard behind the xxh3 hash of the TOML text. Decoding
//! it costs about a twentieth of parsing and validating the TOML, which was
//! most of a quote's start-up (docs/speed.md).
//!
//! The TOML stays the one source of every figure: a compiled file whose hash
//! is not its TOML's (a card edited and not compiled again), or that does not
//! decode, is passed over and the TOML parsed instead, so a stale file costs
//! time, never truth. `cargo test` fails while one is stale and says how to
//! write it again: `NBCOST_COMPILE_CARDS=1 cargo test --lib card::compiled`.

use serde::{Deserialize, Serialize};

use super::{CardMeta, EMBEDDED, RateCard};

/// What a compiled file holds.
#[derive(Serialize, Deserialize)]
struct Compiled {
    /// The xxh3 hash of the TOML text the card was loaded from.
    toml_hash: u64,
    /// The validated card (its origin is set by the reader).
    card: RateCard,
}

/// The hash of each embedded card's TOML, by its index in [`EMBEDDED`],
/// taken as the binary is built: checking a compiled file reads none of the
/// TOML at start-up (hashing the October card's 22 KB was a sixth of
/// decoding it, and paged the text in).
const TOML_HASHES: [u64; EMBEDDED.len()] = {
    let mut hashes = [0; EMBEDDED.len()];
    let mut index = 0;
    while index < EMBEDDED.len() {
        hashes[index] = xxhash_rust::const_xxh3::xxh3_64(EMBEDDED[index].toml.as_bytes());
        index += 1;
    }
    hashes
};

/// The embedded card at `index` of [`EMBEDDED`] from its compiled form, if
/// that is its TOML's; `None` sends the caller to the TOML.
pub(super) fn embedded(index: usize) -> Option<RateCard> {
    decode(TOML_HASHES[index], EMBEDDED[index].compiled)
}

/// The meta of the embedded card at `index` of [`EMBEDDED`], decoded alone
/// from its compiled form, if that is its TOML's: the hash and the meta lead
/// the encoding (postcard writes fields in order, unframed), so the models
/// are not decoded.
pub(super) fn embedded_meta(index: usize) -> Option<CardMeta> {
    let ((toml_hash, meta), _models): ((u64, CardMeta), _) =
        postcard::take_from_bytes(EMBEDDED[index].compiled).ok()?;
    (toml_hash == TOML_HASHES[index]).then_some(meta)
}

/// The card compiled from the TOML whose hash is `toml_hash`, if `compiled`
/// is that card's compiled form.
fn decode(toml_hash: u64, compiled: &[u8]) -> Option<RateCard> {
    let decoded: Compiled = postcard::from_bytes(compiled).ok()?;
    (decoded.toml_hash == toml_hash).then_some(decoded.card)
}

/// The compiled form of `card`, loaded from `toml`.
#[cfg(test)]
fn encode(toml: &str, card: &RateCard) -> Vec<u8> {
    let compiled = Compiled { toml_hash: hash(toml), card: card.clone() };
    postcard::to_allocvec(&compiled).expect("a card encodes")
}

#[cfg(test)]
fn hash(toml: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(toml.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{CardOrigin, EMBEDDED};

    /// Each compiled file is its TOML's card, and decodes to a card that
    /// encodes to the same bytes. With `NBCOST_COMPILE_CARDS` set, a stale
    /// file is written again instead.
    #[test]
    fn every_compiled_card_is_its_toml() {
        let mut stale = Vec::new();
        for embedded in EMBEDDED {
            let card = RateCard::from_toml(embedded.toml, CardOrigin::Embedded(embedded.name)).unwrap();
            let fresh = encode(embedded.toml, &card);
            if fresh == embedded.compiled {
                let decoded = decode(hash(embedded.toml), embedded.compiled).expect("a fresh file decodes");
                assert_eq!(encode(embedded.toml, &decoded), fresh, "{} decodes to its card", embedded.name);
                continue;
            }
            if std::env::var_os("NBCOST_COMPILE_CARDS").is_some() {
                let path = format!("{}/rates/compiled/{}.bin", env!("CARGO_MANIFEST_DIR"), embedded.name);
                std::fs::write(&path, &fresh).unwrap();
            } else {
                stale.push(embedded.name);
            }
        }
        assert!(
            stale.is_empty(),
            "rates/compiled/ is stale for {stale:?}: run `NBCOST_COMPILE_CARDS=1 cargo test --lib card::compiled`"
        );
    }

    /// The hashes taken as the binary is built are the TOML's, so each
    /// embedded card is decoded, not parsed.
    #[test]
    fn each_embedded_card_is_decoded_from_its_compiled_form() {
        for (index, embedded) in EMBEDDED.iter().enumerate() {
            assert_eq!(TOML_HASHES[index], hash(embedded.toml), "{}", embedded.name);
            assert!(super::embedded(index).is_some(), "{} decodes", embedded.name);
        }
    }

    /// A meta decoded alone is the meta of the card decoded whole.
    #[test]
    fn the_meta_decoded_alone_is_the_cards() {
        for (index, embedded) in EMBEDDED.iter().enumerate() {
            let (meta, card) = (embedded_meta(index), super::embedded(index).map(|card| card.meta));
            assert!(meta.is_some(), "{}", embedded.name);
            assert_eq!(format!("{meta:?}"), format!("{card:?}"), "{}", embedded.name);
        }
    }

    #[test]
    fn a_compiled_card_of_other_toml_is_passed_over() {
        let embedded = EMBEDDED[0];
        let card = RateCard::from_toml(embedded.toml, CardOrigin::Embedded(embedded.name)).unwrap();
        let compiled = encode(embedded.toml, &card);
        assert!(decode(hash(embedded.toml), &compiled).is_some());
        let edited = embedded.toml.replace("image_output = \"60\"", "image_output = \"61\"");
        assert_ne!(edited, embedded.toml);
        assert!(decode(hash(&edited), &compiled).is_none(), "an edited card is parsed, not decoded");
        assert!(decode(hash(embedded.toml), &compiled[..compiled.len() / 2]).is_none(), "a cut file");
        assert!(decode(hash(embedded.toml), b"").is_none(), "an empty file");
    }
}
