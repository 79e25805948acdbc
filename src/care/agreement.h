/*
 * Agreement on a care-plan item, from both sides: who proposed it, whether
 * the patient and the professional agree, whether someone disputes it.
 * The state follows from the item's events alone (writes, agreements,
 * disputes and the voice of each), so the item's page and the
 * co-production indicators, which replay the provenance records, always
 * say the same.
 */
#ifndef CARE_AGREEMENT_H
#define CARE_AGREEMENT_H

#include <stdbool.h>

enum agreement_state {
	AGREEMENT_PROPOSED,		/* neither side agrees yet */
	AGREEMENT_PATIENT_ONLY,		/* the patient agrees, not yet staff */
	AGREEMENT_PROFESSIONAL_ONLY,	/* the professional agrees, not yet
					   the patient */
	AGREEMENT_BOTH,			/* agreed by both sides */
	AGREEMENT_DISPUTED,		/* someone disputes it */
	AGREEMENT__MAX
};

struct agreement {
	bool patient;		/* the patient agrees */
	bool professional;	/* a professional agrees */
	bool disputed;
	bool disputed_by_patient;	/* else by a professional */
};

/*
 * Applies one event by someone speaking in `voice` ("patient",
 * "caregiver", "professional"): "create" and "edit" change the content,
 * so only the writer's side agrees afterwards (a caregiver's proposal
 * has no side agreeing) and any dispute ends; "agree" adds the side and
 * ends that side's dispute; "dispute" withdraws the side's agreement and
 * marks the item disputed. Other events ("status", "comment", "remove")
 * leave it as it is. Returns false when the event is not allowed from
 * that voice (only the patient and professionals agree or dispute).
 */
bool agreement_apply(struct agreement *a, const char *event,
		     const char *voice);

/* Whether someone speaking in `voice` may agree or dispute at all. */
bool agreement_voice_can_agree(const char *voice);

enum agreement_state agreement_state(const struct agreement *a);

/* A stable code ("proposed", "patient-only", ...) for pages and CSS. */
const char *agreement_state_name(enum agreement_state s);

/* English words for people (a msgid), e.g. "Agreed by both". */
const char *agreement_state_label(enum agreement_state s);

#endif
