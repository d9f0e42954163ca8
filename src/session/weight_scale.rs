//! The weight slider's scale. A linear 0 to 100 slider gives a weight of 1 two pixels, so 3:1:1:1
//! is a fight with the mouse. This scale has one step per weight up to 10, where the ratios a
//! class tries live, then coarser steps up to the maximum weight; the number field beside the
//! slider takes any weight exactly.

use crate::sim::server::MAX_WEIGHT;

/// The weights the slider stops at, from 0 (drained) to [`MAX_WEIGHT`].
pub const WEIGHT_STEPS: [u32; 26] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200, 300, 500,
    MAX_WEIGHT,
];

/// The weight at slider position `position` (the last step past the end).
pub fn weight_at(position: usize) -> u32 {
    WEIGHT_STEPS[position.min(WEIGHT_STEPS.len() - 1)]
}

/// The slider position showing `weight`: the last step not above it.
pub fn position_of(weight: u32) -> usize {
    WEIGHT_STEPS.iter().rposition(|&w| w <= weight).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_weights_are_a_step_each_and_the_maximum_is_in_reach() {
        assert!(WEIGHT_STEPS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(&WEIGHT_STEPS[..11], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(weight_at(WEIGHT_STEPS.len() - 1), MAX_WEIGHT);
        assert_eq!(weight_at(99), MAX_WEIGHT);
        for (position, &weight) in WEIGHT_STEPS.iter().enumerate() {
            assert_eq!(position_of(weight), position);
        }
        assert_eq!(
            position_of(11),
            10,
            "a weight between steps shows the step below"
        );
        assert_eq!(position_of(2000), WEIGHT_STEPS.len() - 1);
    }
}
