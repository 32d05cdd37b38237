//! Image sizes: the `imageSize` values the Gemini API takes.

use std::fmt;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An output image size, as the API's `imageConfig.imageSize` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ImageSize {
    /// `512` (the pricing page calls it 0.5K).
    S512,
    /// `1K`, the API default.
    K1,
    /// `2K`.
    K2,
    /// `4K`.
    K4,
}

impl ImageSize {
    /// Every size, smallest first.
    pub const ALL: [ImageSize; 4] = [ImageSize::S512, ImageSize::K1, ImageSize::K2, ImageSize::K4];

    /// The exact value the API needs: uppercase `K`, and `512` with no suffix.
    pub fn api_value(self) -> &'static str {
        match self {
            ImageSize::S512 => "512",
            ImageSize::K1 => "1K",
            ImageSize::K2 => "2K",
            ImageSize::K4 => "4K",
        }
    }

    /// Reads the exact value the API accepts (`512`, `1K`, `2K`, `4K`) and
    /// nothing else: `1k` is rejected by the API, so it is rejected here.
    pub fn from_api_value(text: &str) -> Option<ImageSize> {
        ImageSize::ALL.into_iter().find(|size| size.api_value() == text)
    }
}

impl fmt::Display for ImageSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api_value())
    }
}

impl Serialize for ImageSize {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.api_value())
    }
}

/// Reads what `Serialize` writes: the exact API value.
impl<'de> Deserialize<'de> for ImageSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        ImageSize::from_api_value(&text).ok_or_else(|| D::Error::custom(UnknownSize(text.into_owned())))
    }
}

/// The published schema of what [`ImageSize`]'s `Serialize` writes.
impl schemars::JsonSchema for ImageSize {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ImageSize".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let values: Vec<&str> = ImageSize::ALL.iter().map(|size| size.api_value()).collect();
        schemars::json_schema!({
            "description": "The exact `imageSize` value the API takes",
            "type": "string",
            "enum": values,
        })
    }
}

/// A size that is none of `512`, `0.5K`, `1K`, `2K`, `4K`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown image size `{0}`: use one of 512, 1K, 2K, 4K")]
pub struct UnknownSize(pub String);

/// Lenient reading for people: any case, and `0.5K` for `512`.
impl FromStr for ImageSize {
    type Err = UnknownSize;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_uppercase().as_str() {
            "512" | "0.5K" => Ok(ImageSize::S512),
            "1K" => Ok(ImageSize::K1),
            "2K" => Ok(ImageSize::K2),
            "4K" => Ok(ImageSize::K4),
            _ => Err(UnknownSize(text.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_spelling_a_person_types() {
        let cases = [
            ("512", ImageSize::S512),
            ("0.5K", ImageSize::S512),
            ("0.5k", ImageSize::S512),
            ("1K", ImageSize::K1),
            ("1k", ImageSize::K1),
            (" 2k ", ImageSize::K2),
            ("4K", ImageSize::K4),
        ];
        for (text, size) in cases {
            assert_eq!(text.parse::<ImageSize>(), Ok(size), "{text}");
        }
    }

    #[test]
    fn writes_the_value_the_api_needs() {
        let values: Vec<_> = ImageSize::ALL.iter().map(|s| s.to_string()).collect();
        assert_eq!(values, ["512", "1K", "2K", "4K"]);
    }

    #[test]
    fn api_values_are_strict() {
        assert_eq!(ImageSize::from_api_value("2K"), Some(ImageSize::K2));
        assert_eq!(ImageSize::from_api_value("2k"), None);
        assert_eq!(ImageSize::from_api_value("0.5K"), None);
        assert_eq!(ImageSize::from_api_value("1024"), None);
    }

    #[test]
    fn rejects_what_is_not_a_size() {
        for text in ["1024", "8K", "", "2 K", "large"] {
            let err = text.parse::<ImageSize>().unwrap_err();
            assert!(err.to_string().contains("use one of 512, 1K, 2K, 4K"), "{err}");
        }
    }
}
