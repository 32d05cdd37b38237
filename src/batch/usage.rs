//! The one sum of response usage: what `tally` prices, what the synthetic
//! files promise a scan will find, and what the benchmark adds up.
//!
//! Sums are `u128` so that no file, however long, can overflow them while
//! reading; they are narrowed (checked, with [`crate::money::narrow`]) only
//! when priced, once per row.

use crate::scan::Usage;

/// Token sums over a set of responses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsageSums {
    /// Responses, repeats of a key included (each is billed).
    pub responses: u128,
    /// Inline images in the responses (thought images left out).
    pub images: u128,
    /// `promptTokenCount`.
    pub prompt: u128,
    /// TEXT entries of `promptTokensDetails`.
    pub prompt_text: u128,
    /// IMAGE entries of `promptTokensDetails`.
    pub prompt_image: u128,
    /// `candidatesTokenCount`.
    pub candidates: u128,
    /// TEXT entries of `candidatesTokensDetails`.
    pub candidate_text: u128,
    /// IMAGE entries of `candidatesTokensDetails`.
    pub candidate_image: u128,
    /// Output tokens billed at the image rate (see [`output_split`]).
    pub image_output: u128,
    /// Output tokens billed at the text rate (see [`output_split`]).
    pub text_output: u128,
    /// `thoughtsTokenCount`.
    pub thoughts: u128,
    /// `totalTokenCount`.
    pub total: u128,
    /// Responses without `candidatesTokensDetails`, whose output is all
    /// billed at the image rate.
    pub without_output_split: u128,
}

impl UsageSums {
    /// Adds one response with `images` inline images.
    #[inline]
    pub fn add(&mut self, usage: &Usage, images: u64) {
        let (image_output, text_output) = output_split(usage);
        self.responses += 1;
        self.images += u128::from(images);
        self.prompt += u128::from(usage.prompt_tokens);
        self.prompt_text += u128::from(usage.prompt_text_tokens);
        self.prompt_image += u128::from(usage.prompt_image_tokens);
        self.candidates += u128::from(usage.candidates_tokens);
        self.candidate_text += u128::from(usage.candidate_text_tokens);
        self.candidate_image += u128::from(usage.candidate_image_tokens);
        self.image_output += u128::from(image_output);
        self.text_output += u128::from(text_output);
        self.thoughts += u128::from(usage.thoughts_tokens);
        self.total += u128::from(usage.total_tokens);
        self.without_output_split += u128::from(!usage.candidates_details_present);
    }

    /// Adds the sums of other responses.
    pub fn merge(&mut self, other: &UsageSums) {
        self.responses += other.responses;
        self.images += other.images;
        self.prompt += other.prompt;
        self.prompt_text += other.prompt_text;
        self.prompt_image += other.prompt_image;
        self.candidates += other.candidates;
        self.candidate_text += other.candidate_text;
        self.candidate_image += other.candidate_image;
        self.image_output += other.image_output;
        self.text_output += other.text_output;
        self.thoughts += other.thoughts;
        self.total += other.total;
        self.without_output_split += other.without_output_split;
    }
}

/// What one response bills at the image rate and at the text rate. The
/// split is made per response, before summing: it is not linear (tokens of
/// no listed modality go to text; a response without
/// `candidatesTokensDetails` goes all to image), which is why the sums hold
/// it rather than deriving it.
pub fn output_split(usage: &Usage) -> (u64, u64) {
    if usage.candidates_details_present {
        let unlabelled = usage.candidates_tokens.saturating_sub(usage.candidate_image_tokens);
        (usage.candidate_image_tokens, usage.candidate_text_tokens.max(unlabelled))
    } else {
        (usage.candidates_tokens, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_output_tokens_into_image_and_text() {
        let usage = |candidates, image, text, details| Usage {
            candidates_tokens: candidates,
            candidate_image_tokens: image,
            candidate_text_tokens: text,
            candidates_details_present: details,
            ..Usage::default()
        };
        let cases = [
            (usage(1690, 1680, 10, true), (1680, 10)),
            // Tokens of no listed modality are billed as text, never dropped.
            (usage(1700, 1680, 10, true), (1680, 20)),
            (usage(1120, 0, 0, false), (1120, 0)),
            (usage(5, 0, 5, true), (0, 5)),
        ];
        for (usage, want) in cases {
            assert_eq!(output_split(&usage), want, "{usage:?}");
        }
    }

    #[test]
    fn merging_equals_adding_one_by_one() {
        let one = Usage {
            prompt_tokens: 12,
            candidates_tokens: 1690,
            candidate_image_tokens: 1680,
            candidate_text_tokens: 10,
            total_tokens: 1702,
            candidates_details_present: true,
            ..Usage::default()
        };
        let bare =
            Usage { candidates_tokens: 1120, total_tokens: 1128, prompt_tokens: 8, ..Usage::default() };
        let mut all = UsageSums::default();
        all.add(&one, 1);
        all.add(&bare, 2);
        let (mut left, mut right) = (UsageSums::default(), UsageSums::default());
        left.add(&one, 1);
        right.add(&bare, 2);
        left.merge(&right);
        assert_eq!(left, all);
        assert_eq!((all.image_output, all.text_output, all.without_output_split), (2800, 10, 1));
    }
}
