//! Estimates over replications: the mean of one number per replication and its 95% confidence
//! interval.
//!
//! Replications are independent runs (their own seeds), so their results are independent
//! samples, and each is itself an average over many requests, so close to normally distributed:
//! the Student t interval `mean ± t(0.975, n - 1) · s / √n` (with `s` the sample standard
//! deviation) holds the true mean 95% of the time, and stays honest for the small `n` sweeps use
//! (with 5 replications `t` is 2.78, not the normal 1.96). Requests within one run are not
//! independent (a long queue makes several slow ones in a row), which is why the interval is
//! taken over replications and never over requests.

/// A mean over replications and its 95% confidence interval (what the page's What-if worker
/// hands back, as JSON).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Estimate {
    /// The mean of the samples.
    pub mean: f64,
    /// The interval's low and high ends; `None` with a single sample (no spread to measure).
    pub ci95: Option<(f64, f64)>,
}

impl Estimate {
    /// The estimate from `samples`, or `None` when there are none.
    pub fn of(samples: &[f64]) -> Option<Estimate> {
        let n = samples.len();
        if n == 0 {
            return None;
        }
        let mean = samples.iter().sum::<f64>() / n as f64;
        let ci95 = (n >= 2).then(|| {
            let squares: f64 = samples.iter().map(|x| (x - mean) * (x - mean)).sum();
            let sd = (squares / (n - 1) as f64).sqrt();
            let half = student_t_975(n - 1) * sd / (n as f64).sqrt();
            (mean - half, mean + half)
        });
        Some(Estimate { mean, ci95 })
    }
}

/// The 97.5% quantile of Student's t distribution with `df` degrees of freedom (at least 1): the
/// factor of a two-sided 95% interval. Exact to 6 decimals up to 10 degrees of freedom (a table);
/// above, the Cornish-Fisher expansion around the normal quantile (Abramowitz and Stegun 26.7.5),
/// within 5e-6 at 11 and closer beyond.
pub fn student_t_975(df: usize) -> f64 {
    const TABLE: [f64; 10] = [
        12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157,
        2.228139,
    ];
    if let Some(&t) = TABLE.get(df.max(1) - 1) {
        return t;
    }
    // Polynomials in z² (Horner), then in 1 / df: plain arithmetic, the same bits everywhere.
    let z = 1.959_963_984_540_054_f64;
    let z2 = z * z;
    let g1 = z * (z2 + 1.0) / 4.0;
    let g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    let g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    let g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
    let v = df as f64;
    z + (g1 + (g2 + (g3 + g4 / v) / v) / v) / v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        // Reference values to 6 decimals (computed from the exact distribution function).
        for (df, t) in [
            (1, 12.706205),
            (4, 2.776445),
            (10, 2.228139),
            (11, 2.200985),
            (19, 2.093024),
            (30, 2.042272),
            (100, 1.983972),
            (1000, 1.962339),
        ] {
            assert!((student_t_975(df) - t).abs() < 5e-6, "df {df}");
        }
    }

    #[test]
    fn the_interval_is_mean_plus_or_minus_t_standard_errors() {
        let e = Estimate::of(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(e.mean, 2.0);
        // s = 1, n = 3: half width 4.302653 / sqrt 3.
        let (low, high) = e.ci95.unwrap();
        assert!((high - 2.0 - 4.302653 / 3f64.sqrt()).abs() < 1e-12);
        assert!((2.0 - low - (high - 2.0)).abs() < 1e-12);
        assert_eq!(
            Estimate::of(&[5.0]),
            Some(Estimate {
                mean: 5.0,
                ci95: None
            })
        );
        assert_eq!(Estimate::of(&[]), None);
    }
}
