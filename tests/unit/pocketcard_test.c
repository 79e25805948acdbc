/*
 * Unit tests for src/care/pocketcard: the crisis plan pocket card PDF,
 * read back with poppler (pdftotext, pdfinfo, pdftoppm), plus the
 * Windows-1252 conversion, phone number spotting and the input limits.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "care/pocketcard.h"
#include "core/arena.h"
#include "core/str.h"
#include "core/banned.h"

#define NOW INT64_C(1795340000)	/* 2026-11-22 */

/* A realistic Spanish plan: the 7 Stanley-Brown sections, then crisis
 * preferences, with accents, curly quotes, dashes and phone numbers. */
static const struct pocketcard_section plan_es[] = {
	{"Señales de alarma",
	 "No duermo más de 4 horas\n"
	 "Dejo de contestar al teléfono\n"
	 "Pienso “todo el mundo estaría mejor sin mí”\n"},
	{"Mis estrategias de afrontamiento",
	 "Salir a caminar con Luna (mi perra)\n"
	 "Ducha caliente y música — bien alta\n"
	 "Escribir en mi diario\n"},
	{"Personas y lugares que me distraen",
	 "Café con mi prima Lucía – 0612 345 678\n"
	 "La biblioteca del barrio\n"
	 "El parque del Retiro"},
	{"Personas a las que puedo pedir ayuda",
	 "Tía Rosa: 0612 987 654\n"
	 "Mi amigo Andrés +34 600 111 222\n"},
	{"Profesionales y servicios",
	 "Dra. Elena Gómez (psiquiatra) 0912 345 678\n"
	 "Enfermera de salud mental, Centro de Salud Norte: 0913 456 789\n"
	 "Línea de atención a la conducta suicida 024\n"
	 "Emergencias 112\n"
	 "Urgencias del Hospital Universitario (24 horas) +34 91 000 00 00\n"},
	{"Hacer mi entorno seguro",
	 "Mi hermano guarda los medicamentos\n"
	 "No tener cuchillas en casa\n"},
	{"Razones para vivir",
	 "Mis sobrinos\nVer el mar otra vez\nLuna me necesita\n"},
	{"Qué me ayuda en una crisis",
	 "Hablar despacio y en voz baja\n"
	 "Que me dejen llamar a mi hermana\n"},
	{"Qué no me ayuda",
	 "Que me digan “cálmate”\nLas luces fuertes y el ruido\n"},
	{"A quién avisar", "Mi hermana Carmen 0698 765 432\n"},
	{"Preferencias de tratamiento",
	 "Prefiero ingresar en el Hospital Universitario, no en una "
	 "clínica privada\n"
	 "No quiero haloperidol (me sentó mal en 2019)\n"
	 "Sertralina 100 mg por la mañana\n"
	 "Por favor, traed mis gafas\n"},
};

static struct pocketcard
card_es(const struct pocketcard_section *s, size_t n)
{
	struct pocketcard c = {
		.title = "Mi plan de seguridad",
		.patient_name = "María José Núñez Peña",
		.printed_label = "Impreso el 22 nov 2026",
		.footer = "En una emergencia llame al 112 o vaya a urgencias",
		.empty_text = "Todavía no hay nada en este plan.",
		.page_label = "Página %d de %d",
		.continued_label = "(continuación)",
		.sections = s,
		.n_sections = n,
		.now = NOW,
	};

	return c;
}

/* The PDF in a new file under /tmp; returns its malloc'd path. */
static char *
write_tmp(const unsigned char *p, size_t len)
{
	char tmpl[] = "/tmp/cocare-pocketcard.XXXXXX";
	int fd = mkstemp(tmpl);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return strdup(tmpl);
}

/* Everything a command prints (malloc'd, NUL-terminated); the command
 * must succeed. */
static char *
run(const char *cmd, size_t *len)
{
	FILE *f = popen(cmd, "r");
	size_t cap = 1 << 16, n = 0, got;
	char *out = malloc(cap + 1);

	assert_non_null(f);
	assert_non_null(out);
	while ((got = fread(out + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			out = realloc(out, cap + 1);
			assert_non_null(out);
		}
	}
	out[n] = '\0';
	assert_int_equal(pclose(f), 0);
	if (len)
		*len = n;
	return out;
}

/* pdftotext's UTF-8 text of the PDF at `path`. */
static char *
pdf_text(const char *path)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "pdftotext -q -enc UTF-8 %s -", path);
	return run(cmd, NULL);
}

/* The page count pdfinfo reports; fails on any poppler complaint. */
static long
pdf_pages(const char *path, char **info)
{
	char cmd[256];
	char *out, *p;
	long n = 0;

	snprintf(cmd, sizeof(cmd), "pdfinfo %s 2>&1", path);
	out = run(cmd, NULL);
	assert_null(strstr(out, "Error"));
	assert_null(strstr(out, "Warning"));
	p = strstr(out, "\nPages:");
	assert_non_null(p);
	for (p += 7; *p == ' '; p++)
		;
	assert_true(*p >= '0' && *p <= '9');
	for (; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (*p - '0');
	if (info)
		*info = out;
	else
		free(out);
	return n;
}

static size_t
pgm_int(const unsigned char *p, size_t n, size_t *i)
{
	size_t v = 0;

	while (*i < n && (p[*i] == ' ' || p[*i] == '\n' || p[*i] == '\r' ||
			  p[*i] == '\t' || p[*i] == '#')) {
		if (p[*i] == '#')
			while (*i < n && p[*i] != '\n')
				(*i)++;
		else
			(*i)++;
	}
	assert_true(*i < n && p[*i] >= '0' && p[*i] <= '9');
	while (*i < n && p[*i] >= '0' && p[*i] <= '9')
		v = v * 10 + (p[(*i)++] - '0');
	return v;
}

/* Renders page 1 in grey at 40 dpi and counts dark and white pixels. */
static void
page1_pixels(const char *path, double *dark, double *white)
{
	char cmd[256];
	const unsigned char *p;
	size_t n, i = 2, w, h, max, k, nd = 0, nw = 0;
	char *out;

	snprintf(cmd, sizeof(cmd),
		 "pdftoppm -q -gray -r 40 -f 1 -l 1 -singlefile %s", path);
	out = run(cmd, &n);
	p = (const unsigned char *)out;
	assert_true(n > 2 && p[0] == 'P' && p[1] == '5');
	w = pgm_int(p, n, &i);
	h = pgm_int(p, n, &i);
	max = pgm_int(p, n, &i);
	i++;
	assert_int_equal(max, 255);
	/* A6 at 40 dpi is about 165 x 233 pixels. */
	assert_true(w > 150 && w < 180 && h > 220 && h < 245);
	assert_true(n - i >= w * h);
	for (k = 0; k < w * h; k++) {
		nd += p[i + k] < 128;
		nw += p[i + k] == 255;
	}
	*dark = (double)nd / (double)(w * h);
	*white = (double)nw / (double)(w * h);
	free(out);
}

static void
test_realistic_plan(void **state)
{
	struct arena *a = arena_new(1 << 22);
	struct pocketcard c = card_es(plan_es,
				      sizeof(plan_es) / sizeof(plan_es[0]));
	const unsigned char *pdf = NULL;
	size_t len = 0;
	double dark, white;
	char *path, *text, *info;

	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_OK);
	assert_non_null(pdf);
	assert_true(len > 1000 && len < 100 * 1024);
	assert_memory_equal(pdf, "%PDF-", 5);
	assert_non_null(memmem(pdf, len, "%%EOF", 5));
	/* Compressed: no page content stream in the clear. */
	assert_null(memmem(pdf, len, "Helvetica) Tj", 13));
	assert_non_null(memmem(pdf, len, "/FlateDecode", 12));

	path = write_tmp(pdf, len);
	assert_true(pdf_pages(path, &info) >= 1);
	assert_non_null(strstr(info, "Creator:         cocare"));
	assert_non_null(strstr(info, "Title:           Mi plan de seguridad"));
	assert_non_null(strstr(info, "2026"));
	free(info);

	text = pdf_text(path);
	assert_non_null(strstr(text, "María José Núñez Peña"));
	assert_non_null(strstr(text, "Razones para vivir"));
	assert_non_null(strstr(text, "Señales de alarma"));
	assert_non_null(strstr(text, "Que me dejen llamar a mi hermana"));
	assert_non_null(strstr(text, "“cálmate”"));
	assert_non_null(strstr(text, "música — bien alta"));
	assert_non_null(strstr(text, "0612 987 654"));
	/* The number moves below; the dash before it goes. */
	assert_non_null(strstr(text, "Café con mi prima Lucía"));
	assert_null(strstr(text, "Lucía –"));
	assert_non_null(strstr(text, "+34 600 111 222"));
	assert_non_null(strstr(text, "En una emergencia llame al 112"));
	assert_non_null(strstr(text, "Página 1 de"));
	assert_null(strstr(text, "Todavía no hay nada"));
	/* Years and doses stay in their line. */
	assert_non_null(strstr(text, "mal en 2019)"));
	assert_non_null(strstr(text, "Sertralina 100 mg"));
	free(text);

	page1_pixels(path, &dark, &white);
	assert_true(dark > 0.005);
	assert_true(dark < 0.5);
	assert_true(white > 0.3);

	assert_int_equal(unlink(path), 0);
	free(path);
	arena_free(a);
}

static void
test_many_pages(void **state)
{
	struct arena *a = arena_new(1 << 22);
	struct pocketcard_section secs[4];
	struct pocketcard c;
	const unsigned char *pdf = NULL;
	size_t len = 0, i, k;
	char *bodies[4], *path, *text, *info, *p, want[64];
	char longword[301];
	long pages;

	memset(longword, 'x', 300);
	longword[300] = '\0';
	for (i = 0; i < 4; i++) {
		bodies[i] = calloc(1, 8192);
		assert_non_null(bodies[i]);
		for (k = 0, p = bodies[i]; k < 30; k++)
			p += snprintf(p, 8192 - (size_t)(p - bodies[i]),
				      "Sección %zu, punto %zu: algo que "
				      "ayuda cuando todo se pone difícil "
				      "y quiero recordarlo\n", i + 1, k + 1);
		secs[i].body = bodies[i];
	}
	secs[0].heading = "Señales de alarma";
	secs[1].heading = "Lo que me distrae";
	secs[2].heading = longword;	/* broken across lines, not lost */
	secs[3].heading = "Razones para vivir";
	c = card_es(secs, 4);

	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_OK);
	path = write_tmp(pdf, len);
	pages = pdf_pages(path, &info);
	assert_true(pages > 1);
	assert_true(pages < 20);
	free(info);
	text = pdf_text(path);
	assert_non_null(strstr(text, "Sección 4, punto 30"));
	assert_non_null(strstr(text, "Razones para vivir (continuación)"));
	snprintf(want, sizeof(want), "Página %ld de %ld", pages, pages);
	assert_non_null(strstr(text, want));
	/* The footer is on every page. */
	for (p = text, k = 0; (p = strstr(p, "llame al 112")); p++)
		k++;
	assert_int_equal(k, pages);
	free(text);
	assert_int_equal(unlink(path), 0);
	free(path);
	for (i = 0; i < 4; i++)
		free(bodies[i]);
	arena_free(a);
}

static void
test_empty_plan(void **state)
{
	struct arena *a = arena_new(1 << 20);
	const struct pocketcard_section secs[] = {
		{"Señales de alarma", ""},
		{"Razones para vivir", NULL},
		{"A quién avisar", " \n\t\r\n  "},
	};
	struct pocketcard c = card_es(secs, 3);
	const unsigned char *pdf = NULL;
	size_t len = 0;
	char *path, *text, *info;

	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_OK);
	assert_memory_equal(pdf, "%PDF-", 5);
	path = write_tmp(pdf, len);
	assert_int_equal(pdf_pages(path, &info), 1);
	free(info);
	text = pdf_text(path);
	assert_non_null(strstr(text, "Todavía no hay nada en este plan."));
	assert_non_null(strstr(text, "María José Núñez Peña"));
	assert_null(strstr(text, "Razones para vivir"));
	assert_null(strstr(text, "Señales de alarma"));
	free(text);
	assert_int_equal(unlink(path), 0);
	free(path);

	/* No sections at all, and a footer far too long for its 4 lines. */
	c.sections = NULL;
	c.n_sections = 0;
	c.footer = "En una emergencia llame al 112. En una emergencia llame "
		   "al 112. En una emergencia llame al 112. En una emergencia "
		   "llame al 112. En una emergencia llame al 112. En una "
		   "emergencia llame al 112. En una emergencia llame al 112. "
		   "En una emergencia llame al 112. En una emergencia llame "
		   "al 112. En una emergencia llame al 112. Fin del pie.";
	pdf = NULL;
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_OK);
	path = write_tmp(pdf, len);
	assert_int_equal(pdf_pages(path, NULL), 1);
	text = pdf_text(path);
	assert_non_null(strstr(text, "Todavía no hay nada"));
	assert_non_null(strstr(text, "…"));
	assert_null(strstr(text, "Fin del pie"));
	free(text);
	assert_int_equal(unlink(path), 0);
	free(path);
	arena_free(a);
}

static void
test_cp1252(void **state)
{
	struct arena *a = arena_new(1 << 16);

	assert_string_equal(pocketcard_cp1252(a, "\xc3\xa9"), "\xe9");
	assert_string_equal(pocketcard_cp1252(a, "\xe2\x82\xac"), "\x80");
	assert_string_equal(pocketcard_cp1252(a, "\xe2\x80\x94"), "\x97");
	assert_string_equal(pocketcard_cp1252(a, "\xe6\x97\xa5"), "?");
	assert_string_equal(pocketcard_cp1252(a, "Call 999 (24/7) ~!"),
			    "Call 999 (24/7) ~!");
	assert_string_equal(pocketcard_cp1252(a, "“Núñez” – 5€ • ÿ"),
			    "\x93N\xfa\xf1" "ez\x94 \x96 5\x80 \x95 \xff");
	/* C1 controls and emoji are not in Windows-1252. */
	assert_string_equal(pocketcard_cp1252(a, "a\xc2\x85" "b\xf0\x9f\x98\x80"),
			    "a?b?");
	/* Bytes that are not UTF-8: one '?' each, never read past the end. */
	assert_string_equal(pocketcard_cp1252(a, "x\xff\xe2\x82"), "x???");
	assert_string_equal(pocketcard_cp1252(a, "\xc0\xaf"), "??");
	assert_string_equal(pocketcard_cp1252(a, ""), "");
	assert_null(pocketcard_cp1252(a, NULL));
	arena_free(a);
}

static void
expect_phone(const char *line, const char *want)
{
	size_t start = 99, len = 99;

	if (!want) {
		assert_false(pocketcard_find_phone(line, &start, &len));
		return;
	}
	assert_true(pocketcard_find_phone(line, &start, &len));
	assert_int_equal(len, strlen(want));
	assert_memory_equal(line + start, want, len);
}

static void
test_find_phone(void **state)
{
	expect_phone("Crisis line 0800 123 456", "0800 123 456");
	expect_phone("Call 999", "999");
	expect_phone("Aunt Rosa", NULL);
	expect_phone("+44 20 7946 0000", "+44 20 7946 0000");
	expect_phone("999", "999");
	expect_phone("Samaritans 116 123 (free, 24 hours)", "116 123");
	expect_phone("GP surgery (020) 7946 0000 - ask for Dr Lee",
		     "(020) 7946 0000");
	expect_phone("Ward 12, room 4 - 020 7946 0001", "020 7946 0001");
	expect_phone("Sister - 07700 900123.", "07700 900123");
	expect_phone("Text SHOUT to 85258", "85258");
	expect_phone("Ext 4567)", "4567");
	expect_phone("Call 24/7", NULL);
	expect_phone("Room B123", NULL);
	expect_phone("Open 9-5", NULL);
	expect_phone("Since 2019", NULL);
	expect_phone("Sertraline 100 mg", NULL);
	expect_phone("Sertraline 100mg", NULL);
	expect_phone("", NULL);
	expect_phone(NULL, NULL);
}

static void
test_bad_input(void **state)
{
	struct arena *a = arena_new(1 << 22);
	struct pocketcard_section sec = {"Razones", "Mis sobrinos"};
	struct pocketcard c = card_es(&sec, 1);
	const unsigned char *pdf = (const unsigned char *)"untouched";
	size_t len = 7, i;
	char *big;

	sec.body = "caf\xc3";	/* cut in the middle of "é" */
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_INVALID);
	sec.body = "ok";
	c.patient_name = "\xed\xa0\x80";	/* a surrogate */
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_INVALID);
	c.patient_name = "Ana";

	big = malloc(50001);
	assert_non_null(big);
	memset(big, 'a', 50000);
	big[50000] = '\0';
	sec.body = big;
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_TOO_LARGE);
	/* Spread over several strings, the total counts. */
	big[20000] = '\0';
	sec.body = big;
	c.footer = big;
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_TOO_LARGE);
	c.footer = "Llame al 112";
	/* Within the byte cap but too many pages: one letter per item. */
	for (i = 0; i < 19000; i++) {
		big[2 * i] = 'a';
		big[2 * i + 1] = '\n';
	}
	big[38000] = '\0';
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_TOO_LARGE);
	free(big);
	sec.body = "Mis sobrinos";

	c.page_label = "Página %s de %d";
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_INVALID);
	c.page_label = "Página %d";
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_INVALID);
	c.page_label = "%d de %d %%";
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_INVALID);
	c.page_label = "%d/%d/%d";
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_INVALID);
	c.page_label = NULL;
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_INVALID);
	c.page_label = "%d/%d";
	c.now = -1;
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_INVALID);
	c.now = NOW;
	c.sections = NULL;
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_INVALID);
	assert_int_equal(pocketcard_pdf(a, NULL, &pdf, &len), ERR_INVALID);
	/* Nothing changed on error. */
	assert_string_equal((const char *)pdf, "untouched");
	assert_int_equal(len, 7);

	/* A full arena is ERR_NOMEM, not a crash. */
	arena_free(a);
	a = arena_new(1000);
	c.sections = &sec;
	assert_int_equal(pocketcard_pdf(a, &c, &pdf, &len), ERR_NOMEM);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_realistic_plan),
		cmocka_unit_test(test_many_pages),
		cmocka_unit_test(test_empty_plan),
		cmocka_unit_test(test_cp1252),
		cmocka_unit_test(test_find_phone),
		cmocka_unit_test(test_bad_input),
	};

	test_init();
	return cmocka_run_group_tests_name("pocketcard", tests, NULL, NULL);
}
