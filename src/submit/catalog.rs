//! The Submit page's choice of job type: a card per type that says what it is for and how much a
//! person fills in, and the drafts this browser keeps, so a half-filled form is found again.

use flamenco_api::{AvailableJobType, AvailableJobTypes};
use leptos::prelude::*;
use leptos_router::components::A;

use super::computed::is_computed;
use super::draft;
use super::model::{section_of, FormState};

/// The address of the form for a job type.
pub fn form_href(job_type: &str) -> String {
    format!("/submit/{}", String::from(js_sys::encode_uri_component(job_type)))
}

/// What a job type asks of the person submitting it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobTypeNeeds {
    /// Settings the form asks for (not those it works out, nor hidden ones the type fills itself).
    pub to_fill_in: usize,
    /// How many of those must have a value.
    pub required: usize,
}

impl JobTypeNeeds {
    pub fn of(job_type: &AvailableJobType) -> JobTypeNeeds {
        let asked: Vec<_> = job_type
            .settings
            .iter()
            .filter(|setting| section_of(setting, job_type).is_some() && !is_computed(setting, job_type))
            .collect();
        JobTypeNeeds {
            to_fill_in: asked.len(),
            required: asked.iter().filter(|setting| setting.is_required()).count(),
        }
    }

    /// "7 settings to fill in, 4 of them required", or "Only a name to fill in".
    pub fn text(self) -> String {
        let settings = match self.to_fill_in {
            0 => return "Only a name to fill in".to_owned(),
            1 => "1 setting to fill in".to_owned(),
            n => format!("{n} settings to fill in"),
        };
        match (self.required, self.to_fill_in) {
            (0, _) => format!("{settings}, none required"),
            (1, 1) => format!("{settings}, required"),
            (r, n) if r == n => format!("{settings}, all required"),
            (r, _) => format!("{settings}, {r} of them required"),
        }
    }
}

/// Whether a kept form holds anything a person entered: the form keeps itself as soon as it opens,
/// so an untouched form is the job type's defaults, and not worth listing as a draft.
pub fn has_edits(kept: &FormState, job_type: &AvailableJobType) -> bool {
    let fresh = FormState::defaults(job_type);
    let kept = kept.fitted_to(job_type);
    let settings_differ = job_type
        .settings
        .iter()
        .filter(|setting| !is_computed(setting, job_type))
        .any(|setting| kept.values.get(&setting.key) != fresh.values.get(&setting.key));
    !kept.name.trim().is_empty()
        || kept.priority != fresh.priority
        || kept.worker_tag != fresh.worker_tag
        || kept.metadata != fresh.metadata
        || kept.paused != fresh.paused
        || settings_differ
}

/// The job types as cards, with the drafts this browser keeps for them above.
#[component]
pub fn JobTypeCatalog(
    /// The Manager's job types, in its order.
    types: AvailableJobTypes,
) -> impl IntoView {
    let drafts: Vec<(AvailableJobType, FormState)> = types
        .job_types
        .iter()
        .filter_map(|job_type| draft::load(&job_type.name).map(|kept| (job_type.clone(), kept)))
        .filter(|(job_type, kept)| has_edits(kept, job_type))
        .collect();
    let drafts_section = (!drafts.is_empty()).then(|| {
        view! {
            <section class="drafts" aria-labelledby="drafts-heading">
                <h2 id="drafts-heading">"Drafts in this browser"</h2>
                <ul>
                    {drafts.into_iter().map(|(job_type, kept)| view! { <DraftLine job_type kept /> }).collect_view()}
                </ul>
            </section>
        }
    });
    view! {
        {drafts_section}
        <ul class="job-type-cards" aria-label="Job types">
            {types.job_types.into_iter().map(|job_type| view! { <JobTypeCard job_type /> }).collect_view()}
        </ul>
    }
}

/// One job type: its name (the link to its form), what it does and what it asks for.
#[component]
fn JobTypeCard(
    /// The job type the card opens.
    job_type: AvailableJobType,
) -> impl IntoView {
    let needs = JobTypeNeeds::of(&job_type).text();
    let description = job_type.description.clone().filter(|text| !text.trim().is_empty());
    view! {
        <li class="job-type-card">
            <h2><A href=form_href(&job_type.name)>{job_type.label.clone()}</A></h2>
            {description.map(|text| view! { <p class="job-type-description">{text}</p> })}
            <p class="job-type-needs muted">{needs}</p>
        </li>
    }
}

/// A kept draft: the job's name as typed (the link back to the form, which reopens it) and its type.
#[component]
fn DraftLine(
    /// The type the draft is a form for.
    job_type: AvailableJobType,
    /// The form as it was left.
    kept: FormState,
) -> impl IntoView {
    let name = match kept.name.trim() {
        "" => "Untitled draft".to_owned(),
        name => name.to_owned(),
    };
    view! {
        <li>
            <A href=form_href(&job_type.name)>{name}</A>
            <span class="muted">{format!(" · {}", job_type.label)}</span>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::model::tests::job_type;

    #[test]
    fn needs_count_the_settings_a_person_types_and_the_required_ones() {
        // The test type asks for every setting but the hidden "secret", which it does not need.
        let needs = JobTypeNeeds::of(&job_type());
        assert_eq!(needs, JobTypeNeeds { to_fill_in: 7, required: 4 });
        assert_eq!(needs.text(), "7 settings to fill in, 4 of them required");
    }

    #[test]
    fn needs_read_naturally_at_the_edges() {
        let text = |to_fill_in, required| JobTypeNeeds { to_fill_in, required }.text();
        assert_eq!(text(0, 0), "Only a name to fill in");
        assert_eq!(text(1, 1), "1 setting to fill in, required");
        assert_eq!(text(1, 0), "1 setting to fill in, none required");
        assert_eq!(text(3, 3), "3 settings to fill in, all required");
    }

    #[test]
    fn an_untouched_form_is_not_a_draft_and_a_typed_name_or_value_is() {
        let job_type = job_type();
        let fresh = FormState::defaults(&job_type);
        assert!(!has_edits(&fresh, &job_type));
        let mut named = fresh.clone();
        named.name = "Poster".into();
        assert!(has_edits(&named, &job_type));
        let mut sized = fresh.clone();
        sized.values.insert("tile_size_x".into(), crate::submit::model::Entry::Text("128".into()));
        assert!(has_edits(&sized, &job_type));
        let mut paused = fresh;
        paused.paused = true;
        assert!(has_edits(&paused, &job_type));
    }
}
