//! The commented starter manifest `steward init` writes. It parses as it is, shows every
//! section, and answers nothing on the team's behalf: figures and dates are commented out
//! and every sentence to write is a `TODO:` placeholder, which the gate counts as missing.
//! So `steward check` on the unedited starter fails every rule a team must answer, and lists
//! exactly what is still to be written.

use crate::values::{Date, InvalidSystemName, SystemName};

/// Inputs of the starter file.
pub struct StarterOptions<'a> {
    pub name: &'a str,
    pub team: &'a str,
    pub owner: &'a str,
    pub today: Date,
}

/// Quotes a string for YAML (double-quoted style), so any team or owner name is safe.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders the starter manifest. Fails only when `name` is not a valid system name.
pub fn starter_manifest(o: &StarterOptions) -> Result<String, InvalidSystemName> {
    SystemName::validate(o.name)?;
    let today = o.today;
    let until = today.add_months(30);
    let review = today.add_days(30);
    Ok(format!(
        r##"# AISystem manifest for {name}. Reference: `steward schema`; check it with `steward check`.
# Every section answers one of the questions a pilot must answer before it scales.
apiVersion: steward/v1
kind: AISystem
metadata:
  name: {name}
  title: {title}
  description: "TODO: what the system does, for whom, in one or two sentences"
  tags: []
  links: []
  annotations: {{}}

spec:
  lifecycle: proof-of-concept           # proof-of-concept | pilot | production | retired

  # Scope narrowly first: one team, one workflow, explicit boundaries.
  scope:
    team: {team}
    workflow: "TODO: the one workflow this system supports"
    # users: 25
    in_scope:
      - "TODO: what the system does"
    out_of_scope:
      - "TODO: what it must never do"
    # changes_team_workflow: true       # does it change who is responsible for what? true or false

  # Who owns its performance in month 18, with the authority to change and roll it back.
  owner:
    ref: {owner}
    # accountable_person: user:default/someone
    # since: {today}                    # dates are the owner's to give, none is assumed
    # accountable_until: {until}        # at least 18 months past the production launch
    # confirmed_on: {today}             # when the owner last confirmed, at least every 180 days
    authority: [change-prompts, roll-back]

  milestones:
    # build_started: {today}
    # pilot_started: YYYY-MM-DD
    # production_launch: YYYY-MM-DD

  # Success defined as a number before building: a change, a window and a baseline.
  success_metrics:
    - name: primary-outcome
      description: "TODO: the outcome the business pays for"
      unit: hours
      aggregate: median                 # mean | median | p90 | sum | count | rate_per_day
      direction: decrease               # decrease | increase
      # target_change: "25%"
      within_days: 90
      baseline_days: 180
      # defined_on: {today}             # the day the target was agreed, before building
      source: "TODO: where the observations come from"

  # Integration, data preparation, testing and change management as separate lines.
  # A figure is a number or a range {{low: N, likely: N, high: N}}.
  budget:
    currency: USD
    # poc_cost: 80000
    implementation:
      # ai_component: 150000
      # data_preparation: 60000
      # integration: {{low: 220000, likely: 280000, high: 400000}}
      # testing_infrastructure: 40000
      # change_management: 90000
    annual:
      # maintenance: 110000             # keeping it working: 15-25% of implementation a year
      # enhancement: 50000              # new capabilities, never mixed with maintenance

  # The integration work production needs that the pilot avoided.
  integrations: []
  #  - name: ticketing
  #    system: The upstream system's API
  #    direction: read                  # read | write | both
  #    pilot_avoided: What the pilot did instead (a CSV export, a fork, a test tenant)
  #    owner: group:default/some-team

  # How you will know it degrades before users complain.
  monitoring:
    # review_cadence_days: 30           # how often someone looks at the signals
    signals: []
  #  - name: input-drift
  #    kind: leading                    # leading | lagging
  #    threshold: "dataset drift"
  #    alert: {owner}

  # The fallback, and proof that it was tested.
  fallback:
    # plan: How work continues with the system switched off
    max_days_between_tests: 90
    tests: []
  #  - date: YYYY-MM-DD
  #    result: passed                   # passed | failed
  #    evidence: link to the drill's record

  # Plan for iteration, not deployment.
  iteration:
    # cycle_days: 30                    # how often the system is adjusted from feedback
    feedback_channels: []
    # next_review: {review}

  # Build, buy or hybrid, judged on integration effort, maintainability, lock-in,
  # time to value and total cost; scores are 1 (worst) to 5 (best).
  sourcing:
    # decision: build                   # build | buy | hybrid
    horizon_years: 3
    options: []
    weights: {{integration_effort: 1, maintainability: 1, lock_in: 1, time_to_value: 1, total_cost: 1}}
"##,
        name = o.name,
        title = quote(&format!("{} AI system", o.name)),
        team = quote(o.team),
        owner = quote(o.owner),
        today = today,
        until = until,
        review = review,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_parses_with_awkward_inputs() {
        let text = starter_manifest(&StarterOptions {
            name: "ticket-triage",
            team: "support \"tier\" 1: EMEA",
            owner: "group:default/support",
            today: Date::parse("2026-11-25").unwrap(),
        })
        .unwrap();
        let systems = crate::parse_manifests("starter.yaml", text.as_bytes()).unwrap();
        assert_eq!(systems.len(), 1);
        let m = &systems[0].manifest;
        assert_eq!(m.metadata.name.as_str(), "ticket-triage");
        assert_eq!(
            m.spec
                .scope
                .as_ref()
                .unwrap()
                .team
                .as_ref()
                .unwrap()
                .names(),
            vec!["support \"tier\" 1: EMEA"]
        );
    }

    #[test]
    fn starter_rejects_bad_names() {
        let o = StarterOptions {
            name: "Bad Name",
            team: "t",
            owner: "o",
            today: Date::parse("2026-11-25").unwrap(),
        };
        assert!(starter_manifest(&o).is_err());
    }
}
