//! A log-bucketed latency histogram in the style of HdrHistogram.
//!
//! Values (microseconds) below 128 get a bucket each; above that, each power of two is split into 64
//! equal buckets, so a bucket is never wider than 1/64 of its lower bound and a reported quantile
//! (the bucket's midpoint) is within 0.8% of the true value. The bucket array grows only up to the
//! largest value seen (about 1,100 buckets for values up to 10 s), recording is a few instructions
//! and allocation-free once the range is reached, and the count, sum and maximum are kept exactly.

/// Sub-bucket bits: 2^6 = 64 buckets per power of two.
const SUB_BITS: u32 = 6;
const SUB_COUNT: u64 = 1 << SUB_BITS;
/// Values below this are counted exactly, one bucket each.
const EXACT_LIMIT: u64 = SUB_COUNT * 2;

/// Counts of latency samples in logarithmic buckets, with exact count, sum, minimum and maximum.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    sum: u128,
    min: u64,
    max: u64,
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Histogram {
        Histogram::default()
    }

    /// Records one sample.
    #[inline]
    pub fn record(&mut self, value: u64) {
        let index = bucket_index(value);
        if index >= self.buckets.len() {
            self.grow_to(index);
        }
        self.buckets[index] += 1;
        // Written without branches: latencies arrive in random order, so a branch would often be
        // mispredicted (this runs several times per simulated request).
        self.min = if self.count == 0 {
            value
        } else {
            self.min.min(value)
        };
        self.count += 1;
        self.sum += u128::from(value);
        self.max = self.max.max(value);
    }

    /// Makes room for bucket `index` (rare: only while the largest value seen grows).
    #[cold]
    fn grow_to(&mut self, index: usize) {
        self.buckets.resize(index + 1, 0);
    }

    /// Adds every sample of `other` to this histogram.
    pub fn merge(&mut self, other: &Histogram) {
        if other.count == 0 {
            return;
        }
        if other.buckets.len() > self.buckets.len() {
            self.buckets.resize(other.buckets.len(), 0);
        }
        for (mine, theirs) in self.buckets.iter_mut().zip(&other.buckets) {
            *mine += theirs;
        }
        self.min = if self.count == 0 {
            other.min
        } else {
            self.min.min(other.min)
        };
        self.count += other.count;
        self.sum += other.sum;
        self.max = self.max.max(other.max);
    }

    /// Forgets every sample but keeps the bucket storage, so reuse does not allocate.
    pub fn clear(&mut self) {
        self.buckets.iter_mut().for_each(|b| *b = 0);
        self.count = 0;
        self.sum = 0;
        self.min = 0;
        self.max = 0;
    }

    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Exact mean, or `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum as f64 / self.count as f64)
    }

    /// Exact maximum, or `None` when empty.
    pub fn max(&self) -> Option<u64> {
        (self.count > 0).then_some(self.max)
    }

    /// Exact minimum, or `None` when empty.
    pub fn min(&self) -> Option<u64> {
        (self.count > 0).then_some(self.min)
    }

    /// The value at quantile `q` (0.5 = median, 0.99 = p99): the midpoint of the bucket holding the
    /// sample of that rank, clamped to the exact min and max. `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.count == 0 {
            return None;
        }
        // Rank of the wanted sample, 1-based: the smallest rank r with r / count >= q.
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (index, &n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let (low, width) = bucket_range(index);
                return Some((low + width / 2).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }
}

/// The bucket that holds `value`.
fn bucket_index(value: u64) -> usize {
    if value < EXACT_LIMIT {
        return value as usize;
    }
    let msb = 63 - value.leading_zeros(); // >= SUB_BITS + 1
    let shift = msb - SUB_BITS;
    let mantissa = value >> shift; // in [SUB_COUNT, 2 * SUB_COUNT)
    (EXACT_LIMIT + u64::from(shift - 1) * SUB_COUNT + (mantissa - SUB_COUNT)) as usize
}

/// The lowest value and the width of bucket `index`.
fn bucket_range(index: usize) -> (u64, u64) {
    let index = index as u64;
    if index < EXACT_LIMIT {
        return (index, 1);
    }
    let shift = (index - EXACT_LIMIT) / SUB_COUNT + 1;
    let mantissa = (index - EXACT_LIMIT) % SUB_COUNT + SUB_COUNT;
    (mantissa << shift, 1 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_tile_the_number_line() {
        let mut expected_low = 0;
        for index in 0..3_000 {
            let (low, width) = bucket_range(index);
            assert_eq!(low, expected_low, "bucket {index}");
            assert_eq!(bucket_index(low), index);
            assert_eq!(bucket_index(low + width - 1), index);
            assert!(
                width == 1 || width * SUB_COUNT <= low,
                "bucket {index} too wide"
            );
            expected_low = low + width;
        }
    }

    #[test]
    fn small_values_are_exact() {
        let mut h = Histogram::new();
        for v in 1..=100 {
            h.record(v);
        }
        assert_eq!(h.quantile(0.5), Some(50));
        assert_eq!(h.quantile(0.99), Some(99));
        assert_eq!(h.quantile(1.0), Some(100));
        assert_eq!(h.quantile(0.0), Some(1));
        assert_eq!(h.mean(), Some(50.5));
    }

    #[test]
    fn large_values_are_within_one_percent() {
        let mut h = Histogram::new();
        for v in 1..=100_000u64 {
            h.record(v * 37);
        }
        for q in [0.5, 0.9, 0.95, 0.99, 0.999] {
            let truth = (q * 100_000.0) * 37.0;
            let got = h.quantile(q).unwrap() as f64;
            assert!(
                (got - truth).abs() / truth < 0.01,
                "q {q}: {got} vs {truth}"
            );
        }
        assert_eq!(h.max(), Some(3_700_000));
        assert_eq!(h.min(), Some(37));
    }

    #[test]
    fn empty_has_no_statistics() {
        let h = Histogram::new();
        assert_eq!(h.quantile(0.5), None);
        assert_eq!(h.mean(), None);
        assert_eq!(h.max(), None);
    }

    #[test]
    fn merge_equals_recording_everything_in_one() {
        let (mut a, mut b, mut all) = (Histogram::new(), Histogram::new(), Histogram::new());
        for v in 0..5_000u64 {
            let v = v * v % 1_000_003;
            if v % 3 == 0 {
                a.record(v)
            } else {
                b.record(v)
            }
            all.record(v);
        }
        a.merge(&b);
        assert_eq!(a.count(), all.count());
        assert_eq!(a.quantile(0.9), all.quantile(0.9));
        assert_eq!(a.mean(), all.mean());
        assert_eq!(a.min(), all.min());
    }

    #[test]
    fn clear_forgets_samples() {
        let mut h = Histogram::new();
        h.record(1_000_000);
        h.clear();
        assert_eq!(h.count(), 0);
        h.record(5);
        assert_eq!(h.quantile(0.5), Some(5));
        assert_eq!(h.max(), Some(5));
    }
}
