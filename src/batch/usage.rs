//! The one sum of response usage: what `tally` prices, what the synthetic
//! files promise a scan will find, and what the benchmark adds up.
//!
//! Sums are `u128` so that no file, however long, can overflow them while
//! reading; they are narrowed (checked, with [`crate::money::narrow`]) only
//! when priced, once per row.

pub use crate::scan::Content;
use crate::scan::Usage;

/// How a response's output tokens were divided between the image and the
/// text rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitBy {
    /// `candidatesTokensDetails` says which are IMAGE.
    Details,
    /// No details, but the candidates hold image parts: all output at the
    /// image rate, an upper bound (a caption would be text).
    ImageParts,
    /// No details and candidates without any image part: a text answer,
    /// all output at the text rate.
    NoImagePart,
    /// No details and no candidates to look at: all output at the image
    /// rate, an upper bound.
    NothingToTell,
}

impl SplitBy {
    /// Whether the image share is an upper bound rather than a fact.
    pub fn is_upper_bound(self) -> bool {
        matches!(self, SplitBy::ImageParts | SplitBy::NothingToTell)
    }
}

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
    /// Responses without `candidatesTokensDetails`.
    pub without_output_split: u128,
    /// Of those, responses whose output is all billed at the image rate, an
    /// upper bound: they hold image parts, or no candidates to tell by.
    pub output_upper_bound: u128,
    /// Of those, responses whose candidates hold no image part: text
    /// answers, all output billed at the text rate.
    pub text_only: u128,
    /// Google Search queries run (`webSearchQueries` entries).
    pub search_queries: u128,
}

impl UsageSums {
    /// Adds one response whose candidates hold `content`.
    #[inline]
    pub fn add(&mut self, usage: &Usage, content: Content) {
        let (image_output, text_output, by) = output_split(usage, content);
        self.responses += 1;
        self.images += u128::from(content.images);
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
        // A response that gives no token counts bills nothing at either
        // rate, so how its output would split says nothing; nor does one
        // that holds an image but counts no output for it (not priced).
        let counted = usage.has_counts() && (image_output > 0 || content.images == 0);
        self.without_output_split += u128::from(counted && !usage.candidates_details_present);
        self.output_upper_bound += u128::from(counted && by.is_upper_bound());
        self.text_only += u128::from(counted && by == SplitBy::NoImagePart);
        self.search_queries += u128::from(content.search_queries);
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
        self.output_upper_bound += other.output_upper_bound;
        self.text_only += other.text_only;
        self.search_queries += other.search_queries;
    }
}

/// What one response bills at the image rate and at the text rate, and
/// how that was told. The split is made per response, before summing: it
/// is not linear (tokens of no listed modality go to text; a response
/// without `candidatesTokensDetails` goes all to one rate by what its
/// candidates hold), which is why the sums hold it rather than deriving it.
///
/// Google leaves the details out of text-only answers, so without them
/// output is image output only where the candidates hold an image part
/// (or there are no candidates to look at): then it is an upper bound.
pub fn output_split(usage: &Usage, content: Content) -> (u64, u64, SplitBy) {
    let all = usage.candidates_tokens;
    if usage.candidates_details_present {
        let unlabelled = all.saturating_sub(usage.candidate_image_tokens);
        (usage.candidate_image_tokens, usage.candidate_text_tokens.max(unlabelled), SplitBy::Details)
    } else if content.images > 0 {
        (all, 0, SplitBy::ImageParts)
    } else if content.candidates_present {
        (0, all, SplitBy::NoImagePart)
    } else {
        (all, 0, SplitBy::NothingToTell)
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
        let image = Content::with_images(1);
        let text = Content::with_images(0);
        let nothing = Content::default();
        let cases = [
            (usage(1690, 1680, 10, true), image, (1680, 10, SplitBy::Details)),
            // Tokens of no listed modality are billed as text, never dropped.
            (usage(1700, 1680, 10, true), image, (1680, 20, SplitBy::Details)),
            // The details decide even where the parts disagree.
            (usage(1120, 1120, 0, true), text, (1120, 0, SplitBy::Details)),
            (usage(5, 0, 5, true), text, (0, 5, SplitBy::Details)),
            // No details: an image part makes it all image, an upper bound ...
            (usage(1130, 0, 0, false), image, (1130, 0, SplitBy::ImageParts)),
            // ... candidates without one make it a text answer ...
            (usage(212, 0, 0, false), text, (0, 212, SplitBy::NoImagePart)),
            // ... and no candidates at all leave the upper bound.
            (usage(1120, 0, 0, false), nothing, (1120, 0, SplitBy::NothingToTell)),
        ];
        for (usage, content, want) in cases {
            assert_eq!(output_split(&usage, content), want, "{usage:?} {content:?}");
        }
        assert!(SplitBy::ImageParts.is_upper_bound() && SplitBy::NothingToTell.is_upper_bound());
        assert!(!SplitBy::Details.is_upper_bound() && !SplitBy::NoImagePart.is_upper_bound());
    }

    #[test]
    fn a_response_without_token_counts_is_counted_but_never_split() {
        let mut sums = UsageSums::default();
        sums.add(&Usage { total_tokens: 1130, ..Usage::default() }, Content::default());
        assert_eq!((sums.responses, sums.total), (1, 1130));
        assert_eq!((sums.without_output_split, sums.output_upper_bound, sums.text_only), (0, 0, 0));
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
        let text = Usage { candidates_tokens: 212, total_tokens: 220, prompt_tokens: 8, ..Usage::default() };
        let grounded = Content { search_queries: 3, ..Content::with_images(0) };
        let mut all = UsageSums::default();
        all.add(&one, Content::with_images(1));
        all.add(&bare, Content::with_images(2));
        all.add(&text, grounded);
        let (mut left, mut right) = (UsageSums::default(), UsageSums::default());
        left.add(&one, Content::with_images(1));
        right.add(&bare, Content::with_images(2));
        right.add(&text, grounded);
        left.merge(&right);
        assert_eq!(left, all);
        assert_eq!((all.image_output, all.text_output), (2800, 222));
        assert_eq!((all.without_output_split, all.output_upper_bound, all.text_only), (2, 1, 1));
        assert_eq!(all.search_queries, 3);
    }
}
