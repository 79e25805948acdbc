/*
 * Wiring: every module's route table, added to the router at start.
 * Each module owns its table; this list only names the modules.
 */
#include "web/app.h"

#include "auth/auth_web.h"
#include "care/care_web.h"
#include "contact/contact_web.h"
#include "fhir/fhir.h"
#include "measures/measures_web.h"
#include "people/people_web.h"
#include "web/home_web.h"
#include "core/banned.h"

enum err
app_routes(struct http_router *r)
{
	enum err (*const tables[])(struct http_router *) = {
		auth_web_routes,    account_web_routes, home_web_routes,
		patient_web_routes, admin_web_routes,   plan_web_routes,
		crisis_web_routes,  note_web_routes,    dialog_web_routes,
		decision_web_routes, jargon_web_routes,
		questionnaire_web_routes, dashboard_web_routes,
		instrument_web_routes, reading_web_routes, alert_web_routes,
		appointment_web_routes,
		outbox_web_routes,
		message_web_routes,
		consult_web_routes,
		journey_web_routes,
		fhir_web_routes,
	};
	size_t i;
	enum err e;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if ((e = tables[i](r)) != ERR_OK)
			return e;
	return ERR_OK;
}
