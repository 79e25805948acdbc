/*
 * Agreement states of care-plan items (see agreement.h).
 */
#include "care/agreement.h"

#include <string.h>

#include "core/msgid.h"
#include "core/banned.h"

static const struct {
	const char *name;
	const char *label;
} states[] = {
	{"proposed", N_("Proposed, not agreed yet")},
	{"patient-only", N_("Agreed by the patient, waiting for the care team")},
	{"professional-only",
	 N_("Agreed by the care team, waiting for the patient")},
	{"both", N_("Agreed by both")},
	{"disputed", N_("Disputed")},
};

_Static_assert(sizeof(states) / sizeof(states[0]) == AGREEMENT__MAX,
	       "one row per state");

static bool
is_patient(const char *voice)
{
	return voice && !strcmp(voice, "patient");
}

static bool
is_professional(const char *voice)
{
	return voice && !strcmp(voice, "professional");
}

bool
agreement_voice_can_agree(const char *voice)
{
	return is_patient(voice) || is_professional(voice);
}

bool
agreement_apply(struct agreement *a, const char *event, const char *voice)
{
	if (!event)
		return false;
	if (!strcmp(event, "create") || !strcmp(event, "edit")) {
		a->patient = is_patient(voice);
		a->professional = is_professional(voice);
		a->disputed = false;
		a->disputed_by_patient = false;
		return true;
	}
	if (!strcmp(event, "agree") || !strcmp(event, "dispute")) {
		bool agree = event[0] == 'a';

		if (!agreement_voice_can_agree(voice))
			return false;
		if (is_patient(voice))
			a->patient = agree;
		else
			a->professional = agree;
		if (agree) {
			if (a->disputed &&
			    a->disputed_by_patient == is_patient(voice))
				a->disputed = false;
		} else {
			a->disputed = true;
			a->disputed_by_patient = is_patient(voice);
		}
		return true;
	}
	return true;
}

enum agreement_state
agreement_state(const struct agreement *a)
{
	if (a->disputed)
		return AGREEMENT_DISPUTED;
	if (a->patient && a->professional)
		return AGREEMENT_BOTH;
	if (a->patient)
		return AGREEMENT_PATIENT_ONLY;
	if (a->professional)
		return AGREEMENT_PROFESSIONAL_ONLY;
	return AGREEMENT_PROPOSED;
}

const char *
agreement_state_name(enum agreement_state s)
{
	return (unsigned)s < AGREEMENT__MAX ? states[s].name : "proposed";
}

const char *
agreement_state_label(enum agreement_state s)
{
	return (unsigned)s < AGREEMENT__MAX ? states[s].label : "";
}
