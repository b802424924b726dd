//! The PERT distribution: a Beta distribution stretched over [low, high] with its mode at
//! `likely`, alpha = 1 + 4(likely-low)/(high-low) and beta = 1 + 4(high-likely)/(high-low).

use rand_chacha::rand_core::Rng;
use rand_distr::{Beta, Distribution};
use steward_manifest::CostFigure;

/// One uncertain (or fixed) cost figure, ready to be drawn from.
#[derive(Clone, Debug)]
pub enum Variable {
    Fixed(f64),
    Pert {
        low: f64,
        span: f64,
        beta: Beta<f64>,
        alpha_param: f64,
        beta_param: f64,
    },
}

impl Variable {
    pub fn from_figure(f: Option<CostFigure>) -> Variable {
        match f {
            None => Variable::Fixed(0.0),
            Some(CostFigure::Fixed(v)) => Variable::Fixed(v),
            Some(CostFigure::Range { low, likely, high }) => {
                if high <= low {
                    return Variable::Fixed(likely);
                }
                let span = high - low;
                let a = 1.0 + 4.0 * (likely - low) / span;
                let b = 1.0 + 4.0 * (high - likely) / span;
                match Beta::new(a, b) {
                    Ok(beta) => Variable::Pert {
                        low,
                        span,
                        beta,
                        alpha_param: a,
                        beta_param: b,
                    },
                    // Unreachable for validated ranges (a, b >= 1); a fixed likely value is
                    // the honest fallback.
                    Err(_) => Variable::Fixed(likely),
                }
            }
        }
    }

    #[inline]
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Variable::Fixed(v) => *v,
            Variable::Pert {
                low, span, beta, ..
            } => low + span * beta.sample(rng),
        }
    }

    /// The smallest and largest draw, computed as [`Variable::draw`] computes a draw at the
    /// Beta's ends (0 and 1), so that rounding cannot put a draw outside.
    pub fn bounds(&self) -> (f64, f64) {
        match self {
            Variable::Fixed(v) => (*v, *v),
            Variable::Pert { low, span, .. } => (low + span * 0.0, low + span * 1.0),
        }
    }

    /// The distribution's mean: (low + 4 likely + high) / 6 for a range.
    pub fn mean(&self) -> f64 {
        match self {
            Variable::Fixed(v) => *v,
            Variable::Pert {
                low,
                span,
                alpha_param,
                beta_param,
                ..
            } => low + span * alpha_param / (alpha_param + beta_param),
        }
    }

    pub fn is_random(&self) -> bool {
        matches!(self, Variable::Pert { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pert_mean_is_the_classic_formula() {
        let v = Variable::from_figure(Some(CostFigure::Range {
            low: 220000.0,
            likely: 280000.0,
            high: 400000.0,
        }));
        let classic = (220000.0 + 4.0 * 280000.0 + 400000.0) / 6.0;
        assert!((v.mean() - classic).abs() < 1e-6);
        assert!(v.is_random());
    }

    #[test]
    fn degenerate_ranges_are_fixed() {
        let v = Variable::from_figure(Some(CostFigure::Range {
            low: 5.0,
            likely: 5.0,
            high: 5.0,
        }));
        assert!(!v.is_random());
        assert_eq!(v.mean(), 5.0);
        assert_eq!(Variable::from_figure(None).mean(), 0.0);
    }
}
