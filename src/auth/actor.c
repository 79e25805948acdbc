/*
 * Role names and sides, from the ROLE_MAP table.
 */
#include "auth/actor.h"

#include <string.h>

#include "core/banned.h"

static const struct {
	const char *name;
	const char *label;
} roles[] = {
#define ROLE_ROW(id, name, label) {name, label},
	ROLE_MAP(ROLE_ROW)
#undef ROLE_ROW
};

_Static_assert(sizeof(roles) / sizeof(roles[0]) == ROLE__MAX,
	       "one row per role");

const char *
role_name(enum role r)
{
	return (unsigned)r < ROLE__MAX ? roles[r].name : "system";
}

const char *
role_label(enum role r)
{
	return (unsigned)r < ROLE__MAX ? roles[r].label : "System";
}

bool
role_parse(const char *s, enum role *out)
{
	int r;

	for (r = 0; r < ROLE_SYSTEM; r++) {
		if (strcmp(s, roles[r].name) == 0) {
			*out = (enum role)r;
			return true;
		}
	}
	return false;
}

bool
role_is_staff(enum role r)
{
	return r != ROLE_PATIENT && r != ROLE_CAREGIVER && r != ROLE_SYSTEM;
}

const char *
role_voice(enum role r)
{
	switch (r) {
	case ROLE_PATIENT:
		return N_("patient");
	case ROLE_CAREGIVER:
		return N_("caregiver");
	case ROLE_PROFESSIONAL:
		return N_("professional");
	case ROLE_SYSTEM:
		return N_("system");
	default:
		return N_("staff");
	}
}
