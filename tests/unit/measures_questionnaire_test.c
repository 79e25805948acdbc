/*
 * Unit tests for the questionnaire engine (measures/questionnaire.h):
 * parsing FHIR R4 Questionnaires, including the HL7 examples and the
 * PHQ-9/GAD-7 files written elsewhere in ../shared/testdata; the rules a
 * file may break; every enableWhen operator; form values; checking a set
 * of answers; QuestionnaireResponse JSON both ways; hostile input.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/problem.h"
#include "measures/questionnaire.h"

#define ARENA_CAP (64 << 20)
#define R4 "../shared/testdata/fhir-r4-examples/"
#define QS "../shared/testdata/fhir-questionnaires/"

/* `s` with ' made ", so JSON in this file reads without escapes. */
static char *
dq(struct arena *a, const char *s)
{
	char *r = arena_strdup(a, s), *c;

	assert_non_null(r);
	for (c = r; *c; c++)
		if (*c == '\'')
			*c = '"';
	return r;
}

/* A Questionnaire with `items` and `exts` (both in ' quotes). */
static char *
mk(struct arena *a, const char *items, const char *exts)
{
	return dq(a, arena_printf(a, "{'resourceType':'Questionnaire',"
				     "'url':'https://example.org/q','id':'q',"
				     "'extension':[%s],'item':[%s]}",
				  exts, items));
}

static struct questionnaire *
parse_ok(struct arena *a, const char *json)
{
	struct questionnaire *q = NULL;
	const char *why = NULL;
	enum err e = q_parse(a, json, strlen(json), &q, &why);

	if (e != ERR_OK)
		fail_msg("refused: %s", why);
	assert_non_null(q);
	assert_null(why);
	return q;
}

/* Parses what must be refused; returns the reason. */
static const char *
parse_bad(struct arena *a, const char *json)
{
	struct questionnaire *q = NULL;
	const char *why = NULL;

	assert_int_not_equal(q_parse(a, json, strlen(json), &q, &why),
			     ERR_OK);
	assert_null(q);
	assert_non_null(why);
	return why;
}

static void
expect_refusal(struct arena *a, const char *items, const char *exts,
	       const char *needle)
{
	const char *why = parse_bad(a, mk(a, items, exts));

	if (!strstr(why, needle))
		fail_msg("expected '%s' in '%s'", needle, why);
}

static struct questionnaire *
load(struct arena *a, const char *path)
{
	struct questionnaire *q;
	size_t len;
	char *text = test_read_file(path, &len);
	const char *why;

	assert_non_null(text);
	if (q_parse(a, text, len, &q, &why) != ERR_OK)
		fail_msg("%s: %s", path, why);
	free(text);
	return q;
}

static const struct q_item *
item(const struct questionnaire *q, const char *link_id)
{
	const struct q_item *it = q_item_get(q, link_id);

	if (!it)
		fail_msg("no item '%s'", link_id);
	return it;
}

/* Sets the answers to `link_id` from form strings (NULL-terminated). */
static void
answer(struct arena *a, const struct questionnaire *q, struct q_answers *ans,
       const char *link_id, ...)
{
	const char *strings[8];
	struct q_value *v;
	const char *why;
	size_t n = 0, nv;
	va_list ap;

	va_start(ap, link_id);
	while (n < 8 && (strings[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	if (q_answer_from_form(a, item(q, link_id), strings, n, &v, &nv,
			       &why) != ERR_OK)
		fail_msg("%s: %s", link_id, why);
	assert_int_equal(q_answers_set(a, ans, item(q, link_id), v, nv),
			 ERR_OK);
}

/* --- parsing ---------------------------------------------------------- */

static void
test_parse_r4_examples(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	const struct q_item *it, *const *all;
	struct questionnaire *q;
	size_t n;

	/* Cancer Quality Forum: questions nested under a choice, answer
	 * lists from another server, enableWhen on a coding. */
	q = load(a, R4 "Questionnaire-3141.json");
	assert_string_equal(q->url, "http://hl7.org/fhir/Questionnaire/3141");
	assert_null(q->code);
	all = q_item_list(q, &n);
	assert_int_equal(n, 10);
	assert_string_equal(all[0]->link_id, "1");
	assert_string_equal(all[1]->link_id, "1.1");
	assert_string_equal(all[2]->link_id, "1.1.1");
	assert_string_equal(all[7]->link_id, "2");
	assert_string_equal(all[9]->link_id, "2.1.2");
	it = item(q, "1.1.1.1.1");
	assert_int_equal(it->depth, 4);
	assert_string_equal(it->parent->link_id, "1.1.1.1");
	assert_string_equal(it->prefix, "1.1.1");
	assert_int_equal(it->index, 4);
	assert_int_equal(it->type, Q_CHOICE);
	assert_int_equal(it->n_options, 0);
	assert_string_equal(it->value_set,
			    "http://hl7.org/fhir/ValueSet/yesnodontknow");
	it = item(q, "1.1.1");
	assert_int_equal(it->type, Q_GROUP);
	assert_int_equal(it->n_enable_when, 1);
	assert_ptr_equal(it->enable_when[0].question, item(q, "1.1"));
	assert_int_equal(it->enable_when[0].op, Q_OP_EQ);
	assert_int_equal(it->enable_when[0].answer.kind, QV_CODING);
	assert_string_equal(it->enable_when[0].answer.code, "Y");
	assert_null(q_item_get(q, "1.1.1.3"));
	assert_null(q_item_get(q, ""));

	/* Glasgow Coma Score: answers from contained ValueSets. */
	q = load(a, R4 "Questionnaire-gcs.json");
	assert_string_equal(q->code, "9269-2");
	assert_string_equal(q->title, "Glasgow Coma Score");
	it = item(q, "1.2");
	assert_int_equal(it->n_options, 6);
	assert_string_equal(it->options[0].system, "http://loinc.org");
	assert_string_equal(it->options[0].code, "LA6562-8");
	assert_string_equal(it->options[5].display, "Obeys commands");
	assert_false(it->options[0].has_value);
	assert_string_equal(it->code, "9268-4");
	assert_int_equal(item(q, "1.1")->n_options, 5);
	assert_int_equal(item(q, "1.3")->n_options, 4);

	/* Lifelines: boolean, string, date items in groups. */
	q = load(a, R4 "Questionnaire-f201.json");
	assert_null(q->code); /* not a LOINC code */
	assert_int_equal(q->n_items, 3);
	assert_int_equal(item(q, "1")->type, Q_BOOLEAN);
	assert_int_equal(item(q, "2.2")->type, Q_DATE);
	assert_int_equal(item(q, "2.1")->type, Q_STRING);
	assert_int_equal(item(q, "3")->n_children, 2);
	assert_true(q_item_is_question(item(q, "3.2")));
	assert_false(q_item_is_question(item(q, "3")));

	/* The R4 PHQ-9: LOINC codes, a calculated total, no scoring. */
	q = load(a, R4 "Questionnaire-phq-9-questionnaire.json");
	assert_string_equal(q->code, "44249-1");
	assert_string_equal(q->version, "1.0.0");
	assert_int_equal(q->n_scores, 0);
	it = item(q, "TotalScore");
	assert_int_equal(it->type, Q_INTEGER);
	assert_true(it->calculated);
	assert_false(q_item_is_question(it));
	assert_string_equal(item(q, "LittleInterest")->code, "44250-9");
	assert_true(item(q, "LittleInterest")->required);
	arena_free(a);
}

static void
test_parse_written_elsewhere(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	const struct q_item *it;
	struct questionnaire *q;
	size_t i;

	/* LHC-Forms PHQ-9: LOINC panel code from `code`, ordinalValue on
	 * codings without a system, a calculated total, an unscored
	 * difficulty question. */
	q = load(a, QS "lhcforms-phq9.json");
	assert_string_equal(q->code, "44249-1");
	assert_null(q->url);
	assert_string_equal(q->id, "44249-1-x");
	it = item(q, "/44260-8");
	assert_int_equal(it->n_options, 4);
	for (i = 0; i < 4; i++) {
		assert_true(it->options[i].has_value);
		assert_true(it->options[i].value == (double)i);
		assert_null(it->options[i].system);
	}
	assert_string_equal(it->options[3].code, "LA6571-9");
	assert_true(item(q, "/44261-6")->calculated);
	it = item(q, "/69722-7");
	assert_int_equal(it->n_options, 4);
	assert_false(it->options[0].has_value);

	/* HL7 SDC PHQ-9: the compose concepts are the answers; the
	 * expansion lends its item weights to the same codes, and its
	 * lower-case "not-at-all" matches nothing (codes are
	 * case-sensitive). The stored total is a calculated quantity. */
	q = load(a, QS "sdc-phq9-questionnaire.json");
	assert_null(q->code);
	it = item(q, "H1/T1/Q7");
	assert_int_equal(it->n_options, 4);
	assert_string_equal(it->options[0].code, "Not-at-all");
	assert_string_equal(it->options[0].system,
			    "http://example.org/CodeSystem/CSPHQ9");
	assert_false(it->options[0].has_value);
	assert_true(it->options[1].has_value && it->options[1].value == 1);
	assert_true(it->options[2].value == 2);
	assert_true(it->options[3].value == 4); /* the IG's defect */
	it = item(q, "H1/TS");
	assert_int_equal(it->type, Q_OTHER);
	assert_string_equal(it->type_name, "quantity");
	assert_true(it->calculated);
	assert_string_equal(it->code, "44261-6");

	/* Stanford GAD-7: ordinalValue in the contained ValueSet's compose,
	 * UUID linkIds, a required group. */
	q = load(a, QS "stanford-gad7.json");
	assert_string_equal(q->language, "en-US");
	assert_int_equal(q->n_all, 8);
	assert_true(q->items[0].required);
	it = &q->items[0].children[6];
	assert_string_equal(it->link_id,
			    "8c6a877a-3867-4b36-c097-2b342649cadb");
	assert_int_equal(it->n_options, 4);
	assert_true(it->options[3].value == 3);
	assert_string_equal(it->options[3].display, "Nearly every day");
	/* Items sharing one ValueSet share its answers. */
	assert_ptr_equal(q->items[0].children[0].options, it->options);
	arena_free(a);
}

static void
test_parse_cocare_rules(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	const struct q_score *s;
	struct questionnaire *q;

	q = load(a, "tests/data/instruments/rules-test.json");
	assert_int_equal(q->n_scores, 5);
	assert_int_equal(q->n_flags, 2);
	s = q_score_get(q, "sum");
	assert_non_null(s);
	assert_int_equal(s->method, Q_SUM);
	assert_int_equal(s->n_items, 4);
	assert_true(s->reverse[1]);
	assert_false(s->reverse[0]);
	assert_int_equal(s->min_answered, 3);
	assert_true(s->prorate);
	assert_int_equal(s->n_bands, 3);
	assert_string_equal(s->bands[2].code, "high");
	assert_true(s->has_min && s->min == 0 && s->max == 16);
	s = q_score_get(q, "weighted");
	assert_true(s->weights[0] == 2 && s->weights[1] == 0.5 &&
		    s->weights[2] == 3);
	assert_int_equal(s->min_answered, 3); /* all, by default */
	assert_true(q_score_get(q, "mean")->multiplier == 25);
	assert_true(q_score_get(q, "top")->has_top);
	assert_null(q_score_get(q, "nope"));
	assert_ptr_equal(q->flags[0].item, item(q, "yes"));
	assert_ptr_equal(q->flags[1].score, q_score_get(q, "sum"));
	assert_true(q->flags[1].urgent);
	/* "Does not apply" has no value and is allowed in a score. */
	assert_false(item(q, "a4")->options[5].has_value);

	q = load(a, "tests/data/instruments/phq-9.json");
	assert_int_equal(q->n_missing_lang, 1);
	assert_string_equal(q->missing_lang[0], "es");
	assert_string_equal(q->scores[0].code, "44261-6");
	arena_free(a);
}

static void
test_parse_refusals(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	const char *ch = "{'linkId':'c','type':'choice','answerOption':["
			 "{'valueCoding':{'code':'x'},'extension':[{'url':"
			 "'http://hl7.org/fhir/StructureDefinition/"
			 "ordinalValue','valueDecimal':0}]},"
			 "{'valueCoding':{'code':'y'},'extension':[{'url':"
			 "'http://hl7.org/fhir/StructureDefinition/"
			 "ordinalValue','valueDecimal':1}]}]}";
	const char *sc = "{'url':'https://cocare.org/fhir/StructureDefinition"
			 "/score','extension':[{'url':'name','valueCode':"
			 "'total'},{'url':'method','valueCode':'sum'},"
			 "{'url':'item','valueString':'c'}%s]}";
	const char *band = ",{'url':'band','extension':[{'url':'min',"
			   "'valueDecimal':%d},{'url':'max','valueDecimal':"
			   "%d},{'url':'code','valueCode':'%s'},{'url':"
			   "'label','valueString':'L'}]}";
	char *items, *s;
	int i;

	assert_true(strstr(parse_bad(a, "not json"), "not JSON"));
	assert_true(strstr(parse_bad(a, "[]"), "not a Questionnaire"));
	assert_true(strstr(parse_bad(a, dq(a, "{'resourceType':'Patient'}")),
			   "resourceType is 'Patient'"));
	assert_true(strstr(parse_bad(a, dq(a, "{'resourceType':'Quest"
					      "ionnaire'}")),
			   "no items"));
	/* Duplicate keys are ambiguous: refused by the JSON reader. */
	assert_true(strstr(parse_bad(a, dq(a, "{'resourceType':'Patient',"
					      "'resourceType':'Quest"
					      "ionnaire'}")),
			   "not JSON"));

	expect_refusal(a, "{'linkId':'a','type':'string'},"
			  "{'linkId':'a','type':'string'}", "",
		       "linkId 'a' is used twice");
	expect_refusal(a, "{'linkId':'g','type':'group','item':["
			  "{'linkId':'a','type':'string'}]},"
			  "{'linkId':'a','type':'integer'}", "",
		       "linkId 'a' is used twice");
	expect_refusal(a, "{'type':'string'}", "", "no linkId");
	expect_refusal(a, "{'linkId':'a'}", "", "item 'a' has no type");
	expect_refusal(a, "{'linkId':'a','type':'foo'}", "",
		       "item 'a' has unknown type 'foo'");
	expect_refusal(a, "{'linkId':'a','type':'attachment'}", "",
		       "item 'a' has type 'attachment', which cocare cannot "
		       "ask");
	expect_refusal(a, "{'linkId':'a','type':'string','text':5}", "",
		       "'text' is not text");
	expect_refusal(a, "{'linkId':'a','type':'string','required':'yes'}",
		       "", "'required' is not true or false");
	expect_refusal(a, "{'linkId':'g','type':'group','repeats':true}", "",
		       "repeating groups");
	expect_refusal(a, "{'linkId':'d','type':'display','item':["
			  "{'linkId':'a','type':'string'}]}", "",
		       "display item 'd' has items inside");
	expect_refusal(a, "{'linkId':'a','type':'string','enableWhen':["
			  "{'question':'zz','operator':'exists',"
			  "'answerBoolean':true}]}", "",
		       "item 'a': enableWhen names 'zz', which is not in the "
		       "questionnaire");
	expect_refusal(a, "{'linkId':'b','type':'boolean'},"
			  "{'linkId':'a','type':'string','enableWhen':["
			  "{'question':'b','operator':'=',"
			  "'answerCoding':{'code':'x'}}]}", "",
		       "wrong type");
	expect_refusal(a, "{'linkId':'b','type':'boolean'},"
			  "{'linkId':'a','type':'string','enableWhen':["
			  "{'question':'b','operator':'exists',"
			  "'answerString':'x'}]}", "",
		       "'exists' needs answerBoolean");
	expect_refusal(a, "{'linkId':'b','type':'boolean'},"
			  "{'linkId':'a','type':'string','enableWhen':["
			  "{'question':'b','operator':'~',"
			  "'answerBoolean':true}]}", "", "unknown operator");
	expect_refusal(a, "{'linkId':'b','type':'boolean'},"
			  "{'linkId':'a','type':'string','enableWhen':["
			  "{'question':'b','operator':'>',"
			  "'answerBoolean':true}]}", "",
		       "'>' cannot compare true or false");
	expect_refusal(a, "{'linkId':'a','type':'string','enableWhen':["
			  "{'question':'b','operator':'exists',"
			  "'answerBoolean':true}]},"
			  "{'linkId':'b','type':'string','enableWhen':["
			  "{'question':'a','operator':'exists',"
			  "'answerBoolean':true}]}", "",
		       "depend on themselves");
	/* A group enabled by a question inside it is a cycle too. */
	expect_refusal(a, "{'linkId':'g','type':'group','enableWhen':["
			  "{'question':'a','operator':'exists',"
			  "'answerBoolean':true}],'item':["
			  "{'linkId':'a','type':'string'}]}", "",
		       "depend on themselves");
	expect_refusal(a, "{'linkId':'a','type':'choice','answerValueSet':"
			  "'#nope'}", "", "names no contained ValueSet");
	expect_refusal(a, "{'linkId':'a','type':'integer','answerOption':"
			  "[{'valueInteger':1}]}", "",
		       "only choice and open-choice");
	expect_refusal(a, "{'linkId':'a','type':'choice','answerOption':["
			  "{'valueCoding':{'code':'x'}},"
			  "{'valueCoding':{'code':'x'}}]}", "",
		       "answer 'x' is listed twice");
	expect_refusal(a, "{'linkId':'a','type':'choice','answerOption':["
			  "{'valueCoding':{'display':'x'}}]}", "",
		       "an answer option has no code");
	expect_refusal(a, "{'linkId':'a','type':'integer','extension':["
			  "{'url':'http://hl7.org/fhir/StructureDefinition/"
			  "minValue','valueInteger':5},{'url':"
			  "'http://hl7.org/fhir/StructureDefinition/maxValue',"
			  "'valueInteger':1}]}", "", "minValue is above");
	expect_refusal(a, "{'linkId':'a','type':'string','maxLength':0}", "",
		       "maxLength is not a number");

	/* Scores and flags. */
	expect_refusal(a, ch, arena_printf(a, sc, ",{'url':'item',"
						 "'valueString':'zz'}"),
		       "score 'total': item 'zz' is not in the questionnaire");
	expect_refusal(a, ch, arena_printf(a, sc, ",{'url':'item',"
						 "'valueString':'c'}"),
		       "item 'c' is listed twice");
	expect_refusal(a, ch, arena_printf(a, sc, ",{'url':'reverse',"
						 "'valueString':'zz'}"),
		       "is not in the questionnaire");
	expect_refusal(a, ch, arena_printf(a, sc, ",{'url':'minAnswred',"
						 "'valueInteger':1}"),
		       "unknown part 'minAnswred'");
	expect_refusal(a, ch, arena_printf(a, sc, ",{'url':'minAnswered',"
						 "'valueInteger':2}"),
		       "minAnswered is not from 1 to the 1 items");
	expect_refusal(a, ch, arena_printf(a, sc, ",{'url':'missing',"
						 "'valueCode':'guess'}"),
		       "missing is not");
	expect_refusal(a, ch, arena_printf(a, sc, ",{'url':'weight',"
						 "'extension':[{'url':'item',"
						 "'valueString':'c'},{'url':"
						 "'value','valueDecimal':2}]}"),
		       "weights are only for the weighted method");
	expect_refusal(a, ch, arena_printf(a, sc, ",{'url':'multiplier',"
						 "'valueDecimal':0}"),
		       "multiplier");
	expect_refusal(a, ch, arena_printf(a, sc, ",{'url':'method',"
						 "'valueCode':'median'}"),
		       "unknown method 'median'");
	expect_refusal(a, ch, arena_printf(a, sc, arena_printf(a, band, 3, 1,
								"b")),
		       "band 'b' has min above max");
	s = arena_printf(a, "%s%s", arena_printf(a, band, 0, 5, "lo"),
			 arena_printf(a, band, 5, 9, "hi"));
	expect_refusal(a, ch, arena_printf(a, sc, s),
		       "bands 'lo' and 'hi' overlap");
	s = arena_printf(a, "%s%s", arena_printf(a, band, 0, 5, "lo"),
			 arena_printf(a, band, 6, 9, "lo"));
	expect_refusal(a, ch, arena_printf(a, sc, s), "listed twice");
	s = arena_printf(a, ",{'url':'max','valueDecimal':1}%s",
			 arena_printf(a, band, 0, 5, "lo"));
	expect_refusal(a, ch, arena_printf(a, sc, s),
		       "goes beyond the score's range");
	expect_refusal(a, ch, arena_printf(a, sc, ",{'url':'band',"
						 "'extension':[{'url':'min',"
						 "'valueDecimal':0}]}"),
		       "a band needs min, max, code and label");
	expect_refusal(a, "{'linkId':'c','type':'string'}",
		       arena_printf(a, sc, ""),
		       "item 'c' is a string item, which has no value");
	expect_refusal(a, "{'linkId':'c','type':'choice','answerOption':["
			  "{'valueCoding':{'code':'x'}}]}",
		       arena_printf(a, sc, ""),
		       "no answer of item 'c' has a value");
	expect_refusal(a, "{'linkId':'c','type':'decimal'}",
		       arena_printf(a, sc, ",{'url':'reverse',"
					 "'valueString':'c'}"),
		       "has no lowest and highest value");
	expect_refusal(a, ch, dq(a, "{'url':'https://cocare.org/fhir/"
				    "StructureDefinition/score','extension':["
				    "{'url':'name','valueCode':'t'},{'url':"
				    "'method','valueCode':'weighted'},{'url':"
				    "'item','valueString':'c'}]}"),
		       "one weight for each item");
	expect_refusal(a, ch, dq(a, "{'url':'https://cocare.org/fhir/"
				    "StructureDefinition/score','extension':["
				    "{'url':'name','valueCode':'t'},{'url':"
				    "'method','valueCode':'top-box'},{'url':"
				    "'item','valueString':'c'}]}"),
		       "top-box needs topValue");
	expect_refusal(a, ch, dq(a, "{'url':'https://cocare.org/fhir/"
				    "StructureDefinition/score','extension':["
				    "{'url':'name','valueCode':'t'},{'url':"
				    "'method','valueCode':'mean'},{'url':"
				    "'item','valueString':'c'},{'url':"
				    "'missing','valueCode':'prorate'}]}"),
		       "prorate");
	s = arena_printf(a, "%s,%s", arena_printf(a, sc, ""),
			 arena_printf(a, sc, ""));
	expect_refusal(a, ch, s, "score 'total' is defined twice");
	expect_refusal(a, ch, dq(a, "{'url':'https://cocare.org/fhir/"
				    "StructureDefinition/flag','extension':["
				    "{'url':'score','valueCode':'nope'},"
				    "{'url':'above','valueDecimal':1},"
				    "{'url':'code','valueCode':'f'},"
				    "{'url':'label','valueString':'F'}]}"),
		       "score 'nope' is not defined");
	expect_refusal(a, ch, dq(a, "{'url':'https://cocare.org/fhir/"
				    "StructureDefinition/flag','extension':["
				    "{'url':'item','valueString':'zz'},"
				    "{'url':'above','valueDecimal':1},"
				    "{'url':'code','valueCode':'f'},"
				    "{'url':'label','valueString':'F'}]}"),
		       "item 'zz' is not in the questionnaire");
	expect_refusal(a, ch, dq(a, "{'url':'https://cocare.org/fhir/"
				    "StructureDefinition/flag','extension':["
				    "{'url':'item','valueString':'c'},"
				    "{'url':'code','valueCode':'f'},"
				    "{'url':'label','valueString':'F'}]}"),
		       "needs above, code and label");

	/* Too deep: nine levels of groups. */
	items = "{'linkId':'x','type':'string'}";
	for (i = 0; i < 9; i++)
		items = arena_printf(a, "{'linkId':'g%d','type':'group',"
				     "'item':[%s]}", i, items);
	expect_refusal(a, items, "", "nested more than 8 levels deep");
	/* Eight levels are fine. */
	items = "{'linkId':'x','type':'string'}";
	for (i = 0; i < 7; i++)
		items = arena_printf(a, "{'linkId':'g%d','type':'group',"
				     "'item':[%s]}", i, items);
	assert_int_equal(parse_ok(a, mk(a, items, ""))->n_all, 8);

	/* Too many: 501 items. */
	items = "{'linkId':'i0','type':'boolean'}";
	for (i = 1; i < 501; i++)
		items = arena_printf(a, "%s,{'linkId':'i%d','type':'boolean'}",
				     items, i);
	expect_refusal(a, items, "", "more than 500 items");
	arena_free(a);
}

static void
test_parse_hostile(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q;
	const char *why;
	char *big;
	size_t n = 100000, i;

	/* Deep JSON nesting stops in the JSON reader, not the stack. */
	big = malloc(2 * n + 1);
	assert_non_null(big);
	for (i = 0; i < n; i++) {
		big[i] = '[';
		big[n + i] = ']';
	}
	big[2 * n] = '\0';
	assert_true(strstr(parse_bad(a, big), "not JSON"));
	free(big);

	/* Past 4 MiB: refused before parsing. */
	n = Q_MAX_JSON + 1;
	big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	assert_int_equal(q_parse(a, big, n, &q, &why), ERR_TOO_LARGE);
	free(big);

	/* NUL and invalid UTF-8 in strings. */
	assert_true(strstr(parse_bad(a, mk(a, "{'linkId':'a\\u0000b',"
					      "'type':'string'}", "")),
			   "not JSON"));
	assert_true(strstr(parse_bad(a, "{\"resourceType\":\"Questionnaire"
					"\",\"item\":[{\"linkId\":\"\xff\","
					"\"type\":\"string\"}]}"),
			   "not JSON"));
	/* Wrong shapes everywhere are refused, not crashed on. */
	parse_bad(a, mk(a, "5", ""));
	parse_bad(a, mk(a, "{'linkId':'a','type':'string','item':5}", ""));
	parse_bad(a, mk(a, "{'linkId':'a','type':'choice',"
			   "'answerOption':[5]}", ""));
	parse_bad(a, mk(a, "{'linkId':'a','type':'choice',"
			   "'answerOption':[{'valueCoding':5}]}", ""));
	parse_bad(a, mk(a, "{'linkId':'a','type':'boolean'},{'linkId':'b',"
			   "'type':'string','enableWhen':[5]}", ""));
	parse_bad(a, mk(a, "{'linkId':'a','type':'string'}",
			"{'url':'https://cocare.org/fhir/Structure"
			"Definition/score','extension':[5]}"));
	parse_bad(a, dq(a, "{'resourceType':'Questionnaire','item':"
			   "{'linkId':'a','type':'string'}}"));
	/* Other extensions and elements are kept but not used. */
	q = parse_ok(a, mk(a, "{'linkId':'a','type':'string','foo':[1,2],"
			      "'extension':[{'url':'x','valueString':'y'}]}",
			   "{'url':'https://example.org/other'}"));
	assert_int_equal(q->n_all, 1);
	arena_free(a);
}

/* --- enableWhen ------------------------------------------------------- */

static const char ew_items[] =
	"{'linkId':'b','type':'boolean'},"
	"{'linkId':'i','type':'integer'},"
	"{'linkId':'d','type':'decimal'},"
	"{'linkId':'dt','type':'date'},"
	"{'linkId':'s','type':'string'},"
	"{'linkId':'c','type':'choice','answerOption':["
	" {'valueCoding':{'system':'S','code':'x'}},"
	" {'valueCoding':{'system':'S','code':'y'}}]},"
	"{'linkId':'r','type':'choice','repeats':true,'answerOption':["
	" {'valueCoding':{'system':'S','code':'x'}},"
	" {'valueCoding':{'system':'S','code':'y'}}]},"
	"{'linkId':'ex1','type':'display','enableWhen':[{'question':'b',"
	" 'operator':'exists','answerBoolean':true}]},"
	"{'linkId':'ex0','type':'display','enableWhen':[{'question':'b',"
	" 'operator':'exists','answerBoolean':false}]},"
	"{'linkId':'eqb','type':'display','enableWhen':[{'question':'b',"
	" 'operator':'=','answerBoolean':true}]},"
	"{'linkId':'nei','type':'display','enableWhen':[{'question':'i',"
	" 'operator':'!=','answerInteger':5}]},"
	"{'linkId':'gti','type':'display','enableWhen':[{'question':'i',"
	" 'operator':'>','answerInteger':5}]},"
	"{'linkId':'lti','type':'display','enableWhen':[{'question':'i',"
	" 'operator':'<','answerInteger':5}]},"
	"{'linkId':'gei','type':'display','enableWhen':[{'question':'i',"
	" 'operator':'>=','answerInteger':5}]},"
	"{'linkId':'lei','type':'display','enableWhen':[{'question':'i',"
	" 'operator':'<=','answerInteger':5}]},"
	"{'linkId':'gtd','type':'display','enableWhen':[{'question':'d',"
	" 'operator':'>','answerDecimal':2.5}]},"
	"{'linkId':'gtdt','type':'display','enableWhen':[{'question':'dt',"
	" 'operator':'>','answerDate':'2024-01-31'}]},"
	"{'linkId':'eqs','type':'display','enableWhen':[{'question':'s',"
	" 'operator':'=','answerString':'yes'}]},"
	"{'linkId':'lts','type':'display','enableWhen':[{'question':'s',"
	" 'operator':'<','answerString':'m'}]},"
	"{'linkId':'eqc','type':'display','enableWhen':[{'question':'c',"
	" 'operator':'=','answerCoding':{'system':'S','code':'y'}}]},"
	"{'linkId':'nec','type':'display','enableWhen':[{'question':'c',"
	" 'operator':'!=','answerCoding':{'code':'y'}}]},"
	"{'linkId':'eqr','type':'display','enableWhen':[{'question':'r',"
	" 'operator':'=','answerCoding':{'code':'x'}}]},"
	"{'linkId':'ner','type':'display','enableWhen':[{'question':'r',"
	" 'operator':'!=','answerCoding':{'code':'x'}}]},"
	"{'linkId':'all','type':'display','enableWhen':["
	" {'question':'b','operator':'=','answerBoolean':true},"
	" {'question':'i','operator':'>','answerInteger':5}]},"
	"{'linkId':'any','type':'display','enableBehavior':'any',"
	" 'enableWhen':["
	" {'question':'b','operator':'=','answerBoolean':true},"
	" {'question':'i','operator':'>','answerInteger':5}]},"
	"{'linkId':'g','type':'group','enableWhen':[{'question':'b',"
	" 'operator':'=','answerBoolean':true}],'item':["
	" {'linkId':'gq','type':'string'},"
	" {'linkId':'g2','type':'group','item':["
	"  {'linkId':'gq2','type':'display'}]}]},"
	"{'linkId':'chain','type':'display','enableWhen':[{'question':'gq',"
	" 'operator':'exists','answerBoolean':true}]}";

/* Checks which of the dependent items are enabled: `on` lists them. */
static void
expect_enabled(const struct questionnaire *q, const struct q_answers *ans,
	       const char *on)
{
	static const char *const deps[] = {
		"ex1", "ex0", "eqb", "nei", "gti", "lti", "gei", "lei",
		"gtd", "gtdt", "eqs", "lts", "eqc", "nec", "eqr", "ner",
		"all", "any", "g", "gq", "g2", "gq2", "chain",
	};
	char want[64];
	size_t i;

	for (i = 0; i < sizeof(deps) / sizeof(deps[0]); i++) {
		bool expected;

		snprintf(want, sizeof(want), " %s ", deps[i]);
		expected = strstr(on, want) != NULL;
		if (q_item_enabled(q, ans, item(q, deps[i])) != expected)
			fail_msg("'%s' should be %s", deps[i],
				 expected ? "enabled" : "disabled");
	}
}

static void
test_enable_when(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = parse_ok(a, mk(a, ew_items, ""));
	struct q_answers ans;

	/* Nothing answered: only "does not exist" and != hold. */
	q_answers_init(&ans);
	expect_enabled(q, &ans, " ex0 nei nec ner ");

	answer(a, q, &ans, "b", "true", NULL);
	answer(a, q, &ans, "i", "7", NULL);
	answer(a, q, &ans, "d", "2.5", NULL);
	answer(a, q, &ans, "dt", "2024-02-01", NULL);
	answer(a, q, &ans, "s", "yes", NULL);
	answer(a, q, &ans, "c", "y", NULL);
	answer(a, q, &ans, "r", "x", "y", NULL);
	expect_enabled(q, &ans, " ex1 eqb nei gti gei gtdt eqs eqc eqr all "
				"any g gq g2 gq2 ");

	answer(a, q, &ans, "b", "false", NULL);
	answer(a, q, &ans, "i", "5", NULL);
	answer(a, q, &ans, "d", "2.51", NULL);
	answer(a, q, &ans, "dt", "2024-01-31", NULL);
	answer(a, q, &ans, "s", "abc", NULL);
	answer(a, q, &ans, "c", "x", NULL);
	answer(a, q, &ans, "r", "y", NULL);
	expect_enabled(q, &ans, " ex1 gei lei gtd lts nec ner ");

	answer(a, q, &ans, "i", "4", NULL);
	expect_enabled(q, &ans, " ex1 nei lti lei gtd lts nec ner ");

	/* any: one condition is enough; all: both are needed. */
	answer(a, q, &ans, "i", "6", NULL);
	expect_enabled(q, &ans, " ex1 nei gti gei gtd lts nec ner any ");

	/* An item in a disabled group is disabled, and a question there
	 * counts as unanswered even with an answer kept. */
	answer(a, q, &ans, "b", "true", NULL);
	answer(a, q, &ans, "gq", "hello", NULL);
	assert_true(q_item_enabled(q, &ans, item(q, "chain")));
	answer(a, q, &ans, "b", "false", NULL);
	assert_false(q_item_enabled(q, &ans, item(q, "g")));
	assert_false(q_item_enabled(q, &ans, item(q, "gq")));
	assert_false(q_item_enabled(q, &ans, item(q, "gq2")));
	assert_false(q_item_enabled(q, &ans, item(q, "chain")));
	/* Items without conditions are enabled, answers or not. */
	assert_true(q_item_enabled(q, &ans, item(q, "b")));
	assert_true(q_item_enabled(q, NULL, item(q, "b")));
	arena_free(a);
}

/* Enablement of a long chain of conditions stays fast (memoised). */
static void
test_enable_when_chain(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q;
	struct q_answers ans;
	char *items = "{'linkId':'i0','type':'boolean'},"
		      "{'linkId':'i1','type':'boolean'}";
	int i;

	/* Each item depends on the two before it: 2^400 paths unmemoised. */
	for (i = 2; i < 400; i++)
		items = arena_printf(a, "%s,{'linkId':'i%d','type':'boolean',"
				     "'enableBehavior':'any','enableWhen':["
				     "{'question':'i%d','operator':'!=',"
				     "'answerBoolean':true},{'question':"
				     "'i%d','operator':'!=','answerBoolean':"
				     "true}]}", items, i, i - 1, i - 2);
	q = parse_ok(a, mk(a, items, ""));
	q_answers_init(&ans);
	assert_true(q_item_enabled(q, &ans, item(q, "i399")));
	arena_free(a);
}

/* --- form values ------------------------------------------------------ */

static const char form_items[] =
	"{'linkId':'fb','type':'boolean'},"
	"{'linkId':'fi','type':'integer','extension':["
	" {'url':'http://hl7.org/fhir/StructureDefinition/minValue',"
	"  'valueInteger':1},"
	" {'url':'http://hl7.org/fhir/StructureDefinition/maxValue',"
	"  'valueInteger':10}]},"
	"{'linkId':'fd','type':'decimal','extension':["
	" {'url':'http://hl7.org/fhir/StructureDefinition/minValue',"
	"  'valueDecimal':-1.5},"
	" {'url':'http://hl7.org/fhir/StructureDefinition/maxValue',"
	"  'valueDecimal':100}]},"
	"{'linkId':'fdt','type':'date','extension':["
	" {'url':'http://hl7.org/fhir/StructureDefinition/minValue',"
	"  'valueDate':'2000-01-01'},"
	" {'url':'http://hl7.org/fhir/StructureDefinition/maxValue',"
	"  'valueDate':'2030-12-31'}]},"
	"{'linkId':'fs','type':'string','maxLength':5},"
	"{'linkId':'ft','type':'text'},"
	"{'linkId':'fc','type':'choice','answerOption':["
	" {'valueCoding':{'system':'S','code':'a','display':'Apple'}},"
	" {'valueCoding':{'system':'S','code':'b','display':'Banana'}}]},"
	"{'linkId':'fci','type':'choice','answerOption':["
	" {'valueInteger':1},{'valueInteger':2},{'valueInteger':3}]},"
	"{'linkId':'fcs','type':'choice','answerOption':["
	" {'valueString':'Red'},{'valueString':'Blue'}]},"
	"{'linkId':'fo','type':'open-choice','answerOption':["
	" {'valueCoding':{'code':'a','display':'Apple'}}]},"
	"{'linkId':'fr','type':'choice','repeats':true,'answerOption':["
	" {'valueCoding':{'code':'a'}},{'valueCoding':{'code':'b'}}]},"
	"{'linkId':'fx','type':'choice','answerValueSet':"
	" 'http://example.org/ValueSet/elsewhere'},"
	"{'linkId':'disp','type':'display','text':'Read this'},"
	"{'linkId':'calc','type':'decimal','readOnly':true},"
	"{'linkId':'grp','type':'group','item':["
	" {'linkId':'in','type':'string','required':true}]}";

/* Parses one form string for `link_id`: the reason, or NULL when fine
 * (with the value in *v). */
static const char *
form1(struct arena *a, const struct questionnaire *q, const char *link_id,
      const char *s, struct q_value *v)
{
	struct q_value *vals;
	const char *why = NULL;
	size_t n;
	enum err e;

	e = q_answer_from_form(a, item(q, link_id), &s, 1, &vals, &n, &why);
	if (e != ERR_OK) {
		assert_int_equal(e, ERR_INVALID);
		assert_non_null(why);
		return why;
	}
	assert_null(why);
	if (v && n)
		*v = vals[0];
	if (v && !n)
		memset(v, 0, sizeof(*v));
	return NULL;
}

static void
test_form_values(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = parse_ok(a, mk(a, form_items, ""));
	const char *two[] = {"a", "b"}, *dup[] = {"a", "a", " "};
	const char *blank[] = {"", "  ", NULL};
	struct q_value v, *vals;
	const char *why;
	char *longer;
	size_t n;

	/* Empty is unanswered, for every item. */
	assert_int_equal(q_answer_from_form(a, item(q, "fc"), blank, 3, &vals,
					    &n, &why), ERR_OK);
	assert_int_equal(n, 0);
	assert_null(form1(a, q, "fi", " ", &v));

	assert_null(form1(a, q, "fb", "true", &v));
	assert_int_equal(v.kind, QV_BOOLEAN);
	assert_true(v.b);
	assert_null(form1(a, q, "fb", "false", &v));
	assert_false(v.b);
	assert_non_null(form1(a, q, "fb", "yes", NULL));

	assert_null(form1(a, q, "fi", " 10 ", &v));
	assert_int_equal(v.kind, QV_INTEGER);
	assert_true(v.num == 10);
	assert_string_equal(form1(a, q, "fi", "11", NULL),
			    "Enter a smaller number.");
	assert_string_equal(form1(a, q, "fi", "0", NULL),
			    "Enter a larger number.");
	assert_string_equal(form1(a, q, "fi", "2.5", NULL),
			    "Enter a whole number.");
	assert_non_null(form1(a, q, "fi", "1e3", NULL));
	assert_non_null(form1(a, q, "fi", "+3", NULL));
	assert_non_null(form1(a, q, "fi", "99999999999999999999999", NULL));

	assert_null(form1(a, q, "fd", "-1.5", &v));
	assert_int_equal(v.kind, QV_DECIMAL);
	assert_true(v.num == -1.5);
	assert_null(form1(a, q, "fd", "0.1", &v));
	assert_true(v.num == 0.1);
	assert_null(form1(a, q, "fd", "100", &v));
	assert_non_null(form1(a, q, "fd", "100.01", NULL));
	assert_non_null(form1(a, q, "fd", "-1.51", NULL));
	assert_non_null(form1(a, q, "fd", "2,5", NULL));
	assert_non_null(form1(a, q, "fd", "1e2", NULL));
	assert_non_null(form1(a, q, "fd", "nan", NULL));
	assert_non_null(form1(a, q, "fd", "inf", NULL));
	assert_non_null(form1(a, q, "fd", ".5", NULL));
	assert_non_null(form1(a, q, "fd", "5.", NULL));
	assert_non_null(form1(a, q, "fd", "1.2.3", NULL));
	assert_non_null(form1(a, q, "fd", "-", NULL));

	assert_null(form1(a, q, "fdt", "2024-02-29", &v));
	assert_int_equal(v.kind, QV_DATE);
	assert_string_equal(v.text, "2024-02-29");
	assert_string_equal(form1(a, q, "fdt", "2023-02-29", NULL),
			    "Enter a real date, for example 2027-03-31.");
	assert_non_null(form1(a, q, "fdt", "2024-2-1", NULL));
	assert_non_null(form1(a, q, "fdt", "yesterday", NULL));
	assert_string_equal(form1(a, q, "fdt", "1999-12-31", NULL),
			    "Enter a later date.");
	assert_string_equal(form1(a, q, "fdt", "2031-01-01", NULL),
			    "Enter an earlier date.");

	assert_null(form1(a, q, "fs", "  héllo ", &v));
	assert_int_equal(v.kind, QV_STRING);
	assert_string_equal(v.text, "héllo"); /* 5 characters */
	assert_string_equal(form1(a, q, "fs", "hello!", NULL),
			    "Shorten this answer.");
	assert_string_equal(form1(a, q, "fs", "a\001b", NULL),
			    "Remove the special characters from this text.");
	assert_non_null(form1(a, q, "fs", "a\x7f", NULL));
	assert_non_null(form1(a, q, "ft", "bad \xff utf-8", NULL));
	assert_null(form1(a, q, "ft", "line one\r\nline\ttwo\rthree", &v));
	assert_string_equal(v.text, "line one\nline\ttwo\nthree");
	longer = malloc(Q_TEXT_MAX + 2);
	memset(longer, 'x', Q_TEXT_MAX + 1);
	longer[Q_TEXT_MAX + 1] = '\0';
	assert_non_null(form1(a, q, "ft", longer, NULL));
	longer[Q_TEXT_MAX] = '\0';
	assert_null(form1(a, q, "ft", longer, NULL));
	free(longer);

	assert_null(form1(a, q, "fc", "b", &v));
	assert_int_equal(v.kind, QV_CODING);
	assert_string_equal(v.system, "S");
	assert_string_equal(v.code, "b");
	assert_string_equal(v.display, "Banana");
	assert_ptr_equal(v.option, &item(q, "fc")->options[1]);
	assert_string_equal(form1(a, q, "fc", "Banana", NULL),
			    "Choose one of the answers offered.");
	assert_non_null(form1(a, q, "fc", "c", NULL));

	assert_null(form1(a, q, "fci", "2", &v));
	assert_int_equal(v.kind, QV_INTEGER);
	assert_true(v.num == 2);
	assert_ptr_equal(v.option, &item(q, "fci")->options[1]);
	assert_non_null(form1(a, q, "fci", "4", NULL));
	assert_null(form1(a, q, "fcs", "Blue", &v));
	assert_int_equal(v.kind, QV_STRING);
	assert_string_equal(v.text, "Blue");
	assert_non_null(form1(a, q, "fcs", "blue", NULL));

	/* Open choice: a code, else free text. */
	assert_null(form1(a, q, "fo", "a", &v));
	assert_int_equal(v.kind, QV_CODING);
	assert_null(form1(a, q, "fo", "Pear", &v));
	assert_int_equal(v.kind, QV_STRING);
	assert_string_equal(v.text, "Pear");
	assert_null(v.option);
	assert_non_null(form1(a, q, "fo", "P\001", NULL));

	/* Several answers only where the item repeats; duplicates merge. */
	assert_int_equal(q_answer_from_form(a, item(q, "fr"), two, 2, &vals,
					    &n, &why), ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(q_answer_from_form(a, item(q, "fr"), dup, 3, &vals,
					    &n, &why), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(q_answer_from_form(a, item(q, "fc"), two, 2, &vals,
					    &n, &why), ERR_INVALID);
	assert_string_equal(why, "Choose only one answer.");

	/* Items that take no answer here. */
	assert_non_null(form1(a, q, "fx", "anything", NULL));
	assert_non_null(form1(a, q, "disp", "x", NULL));
	assert_non_null(form1(a, q, "calc", "1", NULL));
	assert_non_null(form1(a, q, "grp", "x", NULL));
	arena_free(a);
}

/* --- checking answers ------------------------------------------------- */

static void
test_answers_check(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = parse_ok(a, mk(a, ew_items, ""));
	struct questionnaire *other = parse_ok(a, mk(a, form_items, ""));
	struct questionnaire *req;
	struct problems ps = {0};
	struct q_value v = {.kind = QV_INTEGER, .num = 3};
	struct q_value *two;
	struct q_answers ans;

	/* Answers to disabled items are dropped, not wrong. */
	q_answers_init(&ans);
	answer(a, q, &ans, "b", "false", NULL);
	answer(a, q, &ans, "gq", "kept?", NULL);
	answer(a, q, &ans, "i", "3", NULL);
	assert_int_equal(q_answers_check(a, q, &ans, true, &ps), ERR_OK);
	assert_int_equal(ps.n, 0);
	assert_int_equal(ans.n, 2);
	assert_null(q_answers_get(&ans, item(q, "gq")));
	assert_non_null(q_answers_get(&ans, item(q, "i")));

	/* An item of another questionnaire, several answers to one that
	 * does not repeat, a value not allowed. */
	assert_int_equal(q_answers_set(a, &ans, item(other, "fi"), &v, 1),
			 ERR_OK);
	two = arena_calloc(a, 2, sizeof(*two));
	two[0].kind = two[1].kind = QV_INTEGER;
	two[0].num = 1;
	two[1].num = 2;
	assert_int_equal(q_answers_set(a, &ans, item(q, "i"), two, 2), ERR_OK);
	assert_int_equal(q_answers_check(a, q, &ans, false, &ps),
			 ERR_INVALID);
	assert_int_equal(ps.n, 2);
	assert_string_equal(ps.p[0].field, "i");
	assert_string_equal(ps.p[1].field, "fi");
	assert_string_equal(ps.p[1].msg, "This question is not part of the "
					 "questionnaire.");
	assert_string_equal(problems_for(&ps, "i"), "Choose only one answer.");

	memset(&ps, 0, sizeof(ps));
	q_answers_init(&ans);
	v.kind = QV_STRING;
	v.text = "not a coding";
	assert_int_equal(q_answers_set(a, &ans, item(q, "c"), &v, 1), ERR_OK);
	assert_int_equal(q_answers_check(a, q, &ans, false, &ps),
			 ERR_INVALID);
	assert_string_equal(problems_for(&ps, "c"),
			    "Choose one of the answers offered.");

	/* Complete: every enabled required question, and a required
	 * group needs something answered inside. */
	req = parse_ok(a, mk(a, "{'linkId':'r1','type':'string','required':"
				"true},{'linkId':'sw','type':'boolean'},"
				"{'linkId':'r2','type':'string','required':"
				"true,'enableWhen':[{'question':'sw',"
				"'operator':'=','answerBoolean':true}]},"
				"{'linkId':'rg','type':'group','required':"
				"true,'item':[{'linkId':'o1','type':"
				"'string'}]}", ""));
	memset(&ps, 0, sizeof(ps));
	q_answers_init(&ans);
	assert_int_equal(q_answers_check(a, req, &ans, false, &ps), ERR_OK);
	assert_int_equal(q_answers_check(a, req, &ans, true, &ps),
			 ERR_INVALID);
	assert_int_equal(ps.n, 2);
	assert_string_equal(problems_for(&ps, "r1"), "Answer this question.");
	assert_string_equal(problems_for(&ps, "rg"),
			    "Answer at least one question here.");
	memset(&ps, 0, sizeof(ps));
	answer(a, req, &ans, "r1", "x", NULL);
	answer(a, req, &ans, "o1", "y", NULL);
	answer(a, req, &ans, "sw", "true", NULL);
	assert_int_equal(q_answers_check(a, req, &ans, true, &ps),
			 ERR_INVALID);
	assert_string_equal(problems_for(&ps, "r2"), "Answer this question.");
	memset(&ps, 0, sizeof(ps));
	answer(a, req, &ans, "sw", "false", NULL);
	assert_int_equal(q_answers_check(a, req, &ans, true, &ps), ERR_OK);

	/* Removing an answer. */
	assert_int_equal(q_answers_set(a, &ans, item(req, "r1"), NULL, 0),
			 ERR_OK);
	assert_null(q_answers_get(&ans, item(req, "r1")));
	arena_free(a);
}

/* --- QuestionnaireResponse ------------------------------------------- */

static const char resp_items[] =
	"{'linkId':'g','type':'group','text':'Group','item':["
	" {'linkId':'q1','type':'choice','text':'Pick','answerOption':["
	"  {'valueCoding':{'system':'S','code':'a','display':'A'}},"
	"  {'valueCoding':{'system':'S','code':'b','display':'B'}}],"
	"  'item':[{'linkId':'q1a','type':'string','text':'Why?'}]},"
	" {'linkId':'n','type':'integer'},"
	" {'linkId':'dec','type':'decimal'},"
	" {'linkId':'when','type':'date'},"
	" {'linkId':'yes','type':'boolean'},"
	" {'linkId':'rep','type':'string','repeats':true},"
	" {'linkId':'ci','type':'choice','answerOption':["
	"  {'valueInteger':0},{'valueInteger':5}]},"
	" {'linkId':'info','type':'display','text':'Note'}]},"
	"{'linkId':'empty','type':'group','item':["
	" {'linkId':'e1','type':'string'}]},"
	"{'linkId':'total','type':'decimal','extension':[{'url':"
	" 'http://hl7.org/fhir/uv/sdc/StructureDefinition/"
	"sdc-questionnaire-calculatedExpression','valueExpression':{}}]}";

/* Reads response `json` (in ' quotes) against `q`: the reason, or NULL. */
static const char *
read_resp(struct arena *a, const struct questionnaire *q, const char *json,
	  struct q_answers *ans)
{
	char *text = dq(a, json);
	const char *why = NULL;
	enum err e = q_answers_from_response(a, q, text, strlen(text), ans,
					     &why);

	if (e == ERR_OK) {
		assert_null(why);
		return NULL;
	}
	assert_non_null(why);
	return why;
}

static void
expect_resp_refused(struct arena *a, const struct questionnaire *q,
		    const char *items, const char *needle)
{
	struct q_answers ans;
	const char *why = read_resp(a, q, arena_printf(a, "{'resourceType':"
				    "'QuestionnaireResponse','item':[%s]}",
				    items), &ans);

	if (!why)
		fail_msg("accepted: %s", items);
	if (!strstr(why, needle))
		fail_msg("expected '%s' in '%s'", needle, why);
}

static void
test_response_round_trip(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = parse_ok(a, mk(a, resp_items, ""));
	struct q_response_info info = {.id = "r1", .status = "completed",
				       .subject = "Patient/7",
				       .authored = "2026-11-22T10:00:00Z"};
	struct q_answers ans, back;
	const struct q_answer *an;
	const char *why;
	char *json, *again;
	size_t i;

	q_answers_init(&ans);
	answer(a, q, &ans, "q1", "b", NULL);
	answer(a, q, &ans, "q1a", "Because \"quoted\"\nand more", NULL);
	answer(a, q, &ans, "n", "-3", NULL);
	answer(a, q, &ans, "dec", "0.1", NULL);
	answer(a, q, &ans, "when", "2026-01-31", NULL);
	answer(a, q, &ans, "yes", "false", NULL);
	answer(a, q, &ans, "rep", "one", "two", NULL);
	answer(a, q, &ans, "ci", "5", NULL);
	assert_int_equal(q_answers_to_json(a, q, &ans, &info, &json), ERR_OK);
	/* Nested as the questionnaire is; children under the answer. */
	assert_non_null(strstr(json, "\"resourceType\":"
				     "\"QuestionnaireResponse\",\"id\":\"r1\","
				     "\"questionnaire\":\"https://example.org/"
				     "q\",\"status\":\"completed\","
				     "\"subject\":{\"reference\":"
				     "\"Patient/7\"}"));
	assert_non_null(strstr(json, "\"answer\":[{\"valueCoding\":{"
				     "\"system\":\"S\",\"code\":\"b\","
				     "\"display\":\"B\"},\"item\":[{\"linkId\":"
				     "\"q1a\""));
	assert_non_null(strstr(json, "{\"valueDecimal\":0.1}"));
	assert_non_null(strstr(json, "{\"valueInteger\":-3}"));
	assert_non_null(strstr(json, "{\"valueInteger\":5}"));
	assert_null(strstr(json, "\"empty\""));
	assert_null(strstr(json, "\"info\""));

	assert_int_equal(q_answers_from_response(a, q, json, strlen(json),
						 &back, &why), ERR_OK);
	assert_int_equal(back.n, ans.n);
	for (i = 0; i < ans.n; i++) {
		an = q_answers_get(&back, ans.p[i].item);
		assert_non_null(an);
		assert_int_equal(an->n, ans.p[i].n);
	}
	an = q_answers_get(&back, item(q, "q1"));
	assert_ptr_equal(an->values[0].option, &item(q, "q1")->options[1]);
	an = q_answers_get(&back, item(q, "rep"));
	assert_string_equal(an->values[1].text, "two");
	an = q_answers_get(&back, item(q, "q1a"));
	assert_string_equal(an->values[0].text, "Because \"quoted\"\nand more");
	an = q_answers_get(&back, item(q, "ci"));
	assert_int_equal(an->values[0].kind, QV_INTEGER);
	assert_ptr_equal(an->values[0].option, &item(q, "ci")->options[1]);
	/* Written again, the same text: storage is stable. */
	assert_int_equal(q_answers_to_json(a, q, &back, &info, &again),
			 ERR_OK);
	assert_string_equal(json, again);

	/* Nothing answered: no items at all, status in-progress. */
	q_answers_init(&ans);
	assert_int_equal(q_answers_to_json(a, q, &ans, NULL, &json), ERR_OK);
	assert_string_equal(json, "{\"resourceType\":\"QuestionnaireResponse\","
				  "\"questionnaire\":\"https://example.org/q\","
				  "\"status\":\"in-progress\"}");
	arena_free(a);
}

static void
test_response_refusals(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = parse_ok(a, mk(a, resp_items, ""));
	struct q_answers ans;
	const char *why;

	assert_true(strstr(read_resp(a, q, "{'resourceType':'Questionnaire'}",
				     &ans), "not a QuestionnaireResponse"));
	assert_true(strstr(read_resp(a, q, "[1]", &ans),
			   "not a QuestionnaireResponse"));
	assert_true(strstr(read_resp(a, q, "{'resourceType':'Questionnaire"
					   "Response'", &ans), "not JSON"));
	assert_true(strstr(read_resp(a, q, "{'resourceType':'Questionnaire"
					   "Response','questionnaire':"
					   "'https://example.org/other'}",
				     &ans), "https://example.org/other"));
	/* The url, url|version and a reference to the id all name it. */
	assert_null(read_resp(a, q, "{'resourceType':'QuestionnaireResponse',"
				    "'questionnaire':'https://example.org/q|"
				    "7'}", &ans));
	assert_null(read_resp(a, q, "{'resourceType':'QuestionnaireResponse',"
				    "'questionnaire':'Questionnaire/q'}",
			      &ans));
	assert_int_equal(ans.n, 0);

	expect_resp_refused(a, q, "{'linkId':'zz','answer':[{'valueString':"
				  "'x'}]}",
			    "item 'zz' is not in the questionnaire");
	expect_resp_refused(a, q, "{'linkId':'n','answer':[{'valueInteger':"
				  "1}]}", "item 'n' is not where");
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'n',"
				  "'answer':[{'valueString':'1'}]}]}",
			    "item 'n': the answer is of the wrong type");
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'n',"
				  "'answer':[{'valueDecimal':1.5}]}]}",
			    "item 'n': the answer is not a whole number");
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'n',"
				  "'answer':[{'valueQuantity':{'value':1}}]}]}",
			    "item 'n': a valueQuantity answer, but it is a "
			    "integer item");
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'q1',"
				  "'answer':[{'valueCoding':{'system':'S',"
				  "'code':'c'}}]}]}",
			    "item 'q1': the answer is not one of its options");
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'q1',"
				  "'answer':[{'valueCoding':{'system':'T',"
				  "'code':'a'}}]}]}",
			    "item 'q1': the answer is not one of its options");
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'q1',"
				  "'answer':[{'valueCoding':{'code':'a'}},"
				  "{'valueCoding':{'code':'b'}}]}]}",
			    "item 'q1': 2 answers, but it takes one");
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'when',"
				  "'answer':[{'valueDate':'2026-02'}]}]}",
			    "item 'when': the answer is not a date");
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'yes',"
				  "'answer':[{'valueBoolean':'true'}]}]}",
			    "item 'yes': valueBoolean is not of its type");
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'yes',"
				  "'answer':[{}]}]}",
			    "item 'yes': an answer has no value");
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'yes',"
				  "'answer':[{'valueBoolean':true,"
				  "'valueString':'x'}]}]}", "two values");
	expect_resp_refused(a, q, "{'linkId':'g','item':[]},{'linkId':'g'}",
			    "item 'g' is given twice");
	expect_resp_refused(a, q, "{'linkId':'g','answer':[{'valueString':"
				  "'x'}]}", "group 'g' has answers");
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'q1a',"
				  "'answer':[{'valueString':'x'}]}]}",
			    "item 'q1a' is not where");
	expect_resp_refused(a, q, "5", "an item is not an object");
	expect_resp_refused(a, q, "{'linkId':5}", "an item has no linkId");

	/* A stored total and a display text's "answer" are ignored. */
	assert_null(read_resp(a, q, "{'resourceType':'QuestionnaireResponse',"
				    "'item':[{'linkId':'total','answer':[{"
				    "'valueQuantity':{'value':13}}]},"
				    "{'linkId':'g','item':[{'linkId':'info',"
				    "'answer':[{'valueString':'x'}]}]}]}",
			      &ans));
	assert_int_equal(ans.n, 0);

	/* Children of a question beside its answer are read too. */
	assert_null(read_resp(a, q, "{'resourceType':'QuestionnaireResponse',"
				    "'item':[{'linkId':'g','item':[{'linkId':"
				    "'q1','answer':[{'valueCoding':{'code':"
				    "'a'}}],'item':[{'linkId':'q1a','answer':"
				    "[{'valueString':'x'}]}]}]}]}", &ans));
	assert_int_equal(ans.n, 2);
	why = read_resp(a, q, "{'resourceType':'QuestionnaireResponse',"
			      "'item':{'linkId':'g'}}", &ans);
	assert_non_null(why);
	arena_free(a);
}

/* The HL7 examples' responses against their questionnaires. */
static void
test_response_examples(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q;
	struct q_answers ans;
	const struct q_answer *an;
	const char *why;
	size_t len;
	char *text;

	/* GCS: codings from the contained ValueSets; the ordinalValue the
	 * response carries on each coding is not trusted (ours: none). */
	q = load(a, R4 "Questionnaire-gcs.json");
	text = test_read_file(R4 "QuestionnaireResponse-gcs.json", &len);
	assert_int_equal(q_answers_from_response(a, q, text, len, &ans, &why),
			 ERR_OK);
	free(text);
	assert_int_equal(ans.n, 3);
	an = q_answers_get(&ans, item(q, "1.2"));
	assert_string_equal(an->values[0].code, "LA6566-9");
	assert_false(an->values[0].option->has_value);

	/* 3141: answers nested under answers, but "1.1.1.3" is not in the
	 * questionnaire. */
	q = load(a, R4 "Questionnaire-3141.json");
	text = test_read_file(R4 "QuestionnaireResponse-3141.json", &len);
	assert_int_equal(q_answers_from_response(a, q, text, len, &ans, &why),
			 ERR_INVALID);
	free(text);
	assert_string_equal(why, "item '1.1.1.3' is not in the questionnaire");

	/* f201: the response puts "1.1" under the boolean "1". */
	q = load(a, R4 "Questionnaire-f201.json");
	text = test_read_file(R4 "QuestionnaireResponse-f201.json", &len);
	assert_int_equal(q_answers_from_response(a, q, text, len, &ans, &why),
			 ERR_INVALID);
	free(text);
	assert_string_equal(why, "item '1.1' is not in the questionnaire");

	/* SDC PHQ-9: nine codings; the stored total (13) is ignored. */
	q = load(a, QS "sdc-phq9-questionnaire.json");
	text = test_read_file(QS "sdc-phq9-questionnaireresponse.json", &len);
	assert_int_equal(q_answers_from_response(a, q, text, len, &ans, &why),
			 ERR_OK);
	free(text);
	assert_int_equal(ans.n, 9);
	assert_null(q_answers_get(&ans, item(q, "H1/TS")));
	an = q_answers_get(&ans, item(q, "H1/T1/Q7"));
	assert_string_equal(an->values[0].code, "Nearly every day");
	arena_free(a);
}

static void
test_response_hostile(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = parse_ok(a, mk(a, resp_items, ""));
	struct q_answers ans;
	const char *why;
	char *big;
	size_t n = Q_MAX_RESPONSE_JSON + 1;

	big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	assert_int_equal(q_answers_from_response(a, q, big, n, &ans, &why),
			 ERR_TOO_LARGE);
	free(big);
	/* Too many answers to a repeating item. */
	big = "{'linkId':'g','item':[{'linkId':'rep','answer':["
	      "{'valueString':'1'}";
	for (n = 0; n < Q_MAX_ANSWERS; n++)
		big = arena_printf(a, "%s,{'valueString':'x'}", big);
	expect_resp_refused(a, q, arena_printf(a, "%s]}]}", big),
			    "more than 16 answers");
	/* Strings with control characters are refused. */
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'rep',"
				  "'answer':[{'valueString':'a\\u0007b'}]}]}",
			    "control characters");
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'rep',"
				  "'answer':[{'valueString':''}]}]}",
			    "the answer is empty");
	expect_resp_refused(a, q, "{'linkId':'g','item':[{'linkId':'dec',"
				  "'answer':[{'valueDecimal':1e999}]}]}",
			    "not JSON");
	arena_free(a);
}

/*
 * Every arena size from too small to enough: parsing and reading a
 * response end in ERR_OK or ERR_NOMEM with a reason, never a crash, and
 * never a made-up refusal.
 */
static void
test_out_of_memory(void **state)
{
	struct questionnaire *q;
	struct q_answers ans;
	const char *why;
	char *text, *resp;
	size_t len, rlen, cap;
	enum err e = ERR_NOMEM;
	struct arena *a;

	text = test_read_file(QS "sdc-phq9-questionnaire.json", &len);
	resp = test_read_file(QS "sdc-phq9-questionnaireresponse.json", &rlen);
	assert_non_null(text);
	assert_non_null(resp);
	for (cap = 256; e != ERR_OK; cap += 256) {
		assert_true(cap < (8 << 20));
		a = arena_new(cap);
		why = NULL;
		e = q_parse(a, text, len, &q, &why);
		if (e == ERR_OK)
			e = q_answers_from_response(a, q, resp, rlen, &ans,
						    &why);
		if (e != ERR_OK) {
			assert_int_equal(e, ERR_NOMEM);
			assert_non_null(why);
		} else {
			assert_int_equal(ans.n, 9);
		}
		arena_free(a);
	}
	free(text);
	free(resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_r4_examples),
		cmocka_unit_test(test_parse_written_elsewhere),
		cmocka_unit_test(test_parse_cocare_rules),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_enable_when),
		cmocka_unit_test(test_enable_when_chain),
		cmocka_unit_test(test_form_values),
		cmocka_unit_test(test_answers_check),
		cmocka_unit_test(test_response_round_trip),
		cmocka_unit_test(test_response_refusals),
		cmocka_unit_test(test_response_examples),
		cmocka_unit_test(test_response_hostile),
		cmocka_unit_test(test_out_of_memory),
	};

	test_init();
	return cmocka_run_group_tests_name("measures_questionnaire", tests,
					   NULL, NULL);
}
