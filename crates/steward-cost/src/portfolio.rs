//! `steward cost FOLDER`: the portfolio's declared cost per year. Implementation lines land
//! in year 1; annual lines recur every year. Currencies are never added together.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use steward_manifest::Manifest;

use crate::declared::declared;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SystemYears {
    pub system: String,
    pub currency: String,
    /// Year 1 first.
    pub per_year: Vec<f64>,
    pub total: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurrencyYears {
    pub per_year: Vec<f64>,
    pub total: f64,
    pub systems: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortfolioCost {
    pub years: u32,
    pub systems: Vec<SystemYears>,
    /// Combined per currency (systems without a currency are under "").
    pub combined: BTreeMap<String, CurrencyYears>,
}

pub fn portfolio_cost(manifests: &[&Manifest], years: u32) -> PortfolioCost {
    let mut systems = Vec::new();
    let mut combined: BTreeMap<String, CurrencyYears> = BTreeMap::new();
    for m in manifests {
        let d = declared(m, years);
        let per_year: Vec<f64> = (0..years)
            .map(|y| d.annual_total + if y == 0 { d.implementation_total } else { 0.0 })
            .collect();
        let currency = m
            .spec
            .budget
            .as_ref()
            .and_then(|b| b.currency.clone())
            .unwrap_or_default();
        let entry = combined
            .entry(currency.clone())
            .or_insert_with(|| CurrencyYears {
                per_year: vec![0.0; years as usize],
                total: 0.0,
                systems: 0,
            });
        for (acc, v) in entry.per_year.iter_mut().zip(&per_year) {
            *acc += v;
        }
        entry.total += d.total;
        entry.systems += 1;
        systems.push(SystemYears {
            system: m.metadata.name.to_string(),
            currency,
            total: d.total,
            per_year,
        });
    }
    PortfolioCost {
        years,
        systems,
        combined,
    }
}
