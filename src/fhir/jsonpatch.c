/*
 * JSON Patch (RFC 6902) and JSON Pointer (RFC 6901). The operations
 * work on a deep copy, which replaces the document only when every one
 * of them succeeded, so a failed patch changes nothing.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/jsonpatch.h"
#include "core/banned.h"

struct patch_state {
	const char *why;
};

/* An array index as RFC 6901 writes it: "0" or digits not starting
 * with 0; false for anything else. */
static bool
array_index(const char *tok, size_t *out)
{
	size_t n = strlen(tok), i, v = 0;

	if (!n || n > 9 || (n > 1 && tok[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return false;
		v = v * 10 + (size_t)(tok[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * Splits `ptr` into its parent and its last reference token, unescaped
 * (~1 is '/', ~0 is '~'). `*parent` is the value the pointer's parent
 * names in `doc` (NULL when missing), `last` a malloc'd string (NULL for
 * the whole document, path ""). False when the pointer is malformed.
 */
static bool
resolve(json_t *doc, const char *ptr, json_t **parent, char **last)
{
	json_t *cur = doc;
	const char *p = ptr;
	char *tok;

	*parent = NULL;
	*last = NULL;
	if (!*ptr) {
		*parent = NULL;
		return true;
	}
	if (*ptr != '/')
		return false;
	tok = malloc(strlen(ptr) + 1);
	if (!tok)
		return false;
	while (*p == '/') {
		size_t n = 0;
		size_t idx;

		p++;
		while (*p && *p != '/') {
			if (*p == '~') {
				if (p[1] == '0')
					tok[n++] = '~';
				else if (p[1] == '1')
					tok[n++] = '/';
				else {
					free(tok);
					return false;
				}
				p += 2;
			} else {
				tok[n++] = *p++;
			}
		}
		tok[n] = '\0';
		if (!*p) {
			*parent = cur;
			*last = tok;
			return true;
		}
		/* Not the last token: step into it. */
		if (json_is_object(cur))
			cur = json_object_get(cur, tok);
		else if (json_is_array(cur) && array_index(tok, &idx))
			cur = json_array_get(cur, idx);
		else
			cur = NULL;
		if (!cur) {
			/* The parent is missing: report it as such. */
			*parent = NULL;
			*last = tok;
			return true;
		}
	}
	free(tok);
	return false;
}

/* The value `ptr` names in `doc`, or NULL. */
static json_t *
get(json_t *doc, const char *ptr)
{
	json_t *parent, *v = NULL;
	char *last;
	size_t idx;

	if (!resolve(doc, ptr, &parent, &last))
		return NULL;
	if (!last)
		return doc;
	if (json_is_object(parent))
		v = json_object_get(parent, last);
	else if (json_is_array(parent) && array_index(last, &idx))
		v = json_array_get(parent, idx);
	free(last);
	return v;
}

/* Adds `v` (a new reference, taken even on failure) at `ptr`. */
static bool
add(struct patch_state *s, json_t **doc, const char *ptr, json_t *v)
{
	json_t *parent;
	char *last;
	size_t idx;
	bool ok = false;

	if (!resolve(*doc, ptr, &parent, &last)) {
		s->why = "The path is not a JSON Pointer.";
		json_decref(v);
		return false;
	}
	if (!last) {
		json_decref(*doc);
		*doc = v;
		return true;
	}
	if (json_is_object(parent)) {
		ok = json_object_set_new(parent, last, v) == 0;
		v = NULL;
	} else if (json_is_array(parent)) {
		if (!strcmp(last, "-")) {
			ok = json_array_append_new(parent, v) == 0;
			v = NULL;
		} else if (array_index(last, &idx) &&
			   idx <= json_array_size(parent)) {
			ok = json_array_insert_new(parent, idx, v) == 0;
			v = NULL;
		}
	}
	json_decref(v);
	free(last);
	if (!ok)
		s->why = "The path names a place that is not in the resource.";
	return ok;
}

/* Removes what `ptr` names; `out`, when not NULL, gets it (a new
 * reference). */
static bool
remove_at(struct patch_state *s, json_t *doc, const char *ptr, json_t **out)
{
	json_t *parent, *v = NULL;
	char *last;
	size_t idx;
	bool ok = false;

	if (!resolve(doc, ptr, &parent, &last) || !last) {
		s->why = last ? "The path is not a JSON Pointer."
			      : "The whole resource cannot be removed.";
		free(last);
		return false;
	}
	if (json_is_object(parent) && (v = json_object_get(parent, last))) {
		json_incref(v);
		ok = json_object_del(parent, last) == 0;
	} else if (json_is_array(parent) && array_index(last, &idx) &&
		   (v = json_array_get(parent, idx))) {
		json_incref(v);
		ok = json_array_remove(parent, idx) == 0;
	}
	free(last);
	if (!ok) {
		json_decref(v);
		s->why = "The path names nothing in the resource.";
		return false;
	}
	if (out)
		*out = v;
	else
		json_decref(v);
	return true;
}

/* Whether two JSON values are equal as RFC 6902's "test" compares
 * them: numbers by value (1 and 1.0 alike), objects whatever their
 * members' order. */
static bool
equal(json_t *a, json_t *b)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach(a, k, v)
			if (!json_object_get(b, k) ||
			    !equal(v, json_object_get(b, k)))
				return false;
		return true;
	}
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		json_array_foreach(a, i, v)
			if (!equal(v, json_array_get(b, i)))
				return false;
		return true;
	}
	return json_equal(a, b);
}

/* Whether `ptr` is `from` or inside it (a move into itself). */
static bool
is_within(const char *ptr, const char *from)
{
	size_t n = strlen(from);

	return !strncmp(ptr, from, n) && (ptr[n] == '\0' || ptr[n] == '/');
}

/* Applies one operation to `*doc`. */
static enum jsonpatch_result
apply_one(struct patch_state *s, json_t **doc, json_t *op)
{
	const char *name = json_string_value(json_object_get(op, "op"));
	const char *path = json_string_value(json_object_get(op, "path"));
	const char *from = json_string_value(json_object_get(op, "from"));
	json_t *value = json_object_get(op, "value"), *v;

	if (!json_is_object(op) || !name || !path) {
		s->why = "Each operation needs op and path.";
		return JSONPATCH_BAD;
	}
	if (!strcmp(name, "add") || !strcmp(name, "replace") ||
	    !strcmp(name, "test")) {
		if (!value) {
			s->why = "add, replace and test need a value.";
			return JSONPATCH_BAD;
		}
	} else if (!strcmp(name, "move") || !strcmp(name, "copy")) {
		if (!from) {
			s->why = "move and copy need from.";
			return JSONPATCH_BAD;
		}
	} else if (strcmp(name, "remove")) {
		s->why = "op is one of add, remove, replace, move, copy and "
			 "test.";
		return JSONPATCH_BAD;
	}
	if (!strcmp(name, "add"))
		return add(s, doc, path, json_deep_copy(value))
			       ? JSONPATCH_OK
			       : JSONPATCH_BAD;
	if (!strcmp(name, "remove"))
		return remove_at(s, *doc, path, NULL) ? JSONPATCH_OK
						      : JSONPATCH_BAD;
	if (!strcmp(name, "replace")) {
		if (!get(*doc, path)) {
			s->why = "The path names nothing in the resource.";
			return JSONPATCH_BAD;
		}
		if (*path && !remove_at(s, *doc, path, NULL))
			return JSONPATCH_BAD;
		return add(s, doc, path, json_deep_copy(value))
			       ? JSONPATCH_OK
			       : JSONPATCH_BAD;
	}
	if (!strcmp(name, "test")) {
		if (!(v = get(*doc, path))) {
			s->why = "The path of a test names nothing in the "
				 "resource.";
			return JSONPATCH_BAD;
		}
		if (!equal(v, value)) {
			s->why = "A test operation did not hold: the resource "
				 "is not as the patch expects.";
			return JSONPATCH_TEST_FAILED;
		}
		return JSONPATCH_OK;
	}
	if (!(v = get(*doc, from))) {
		s->why = "from names nothing in the resource.";
		return JSONPATCH_BAD;
	}
	if (!strcmp(name, "copy"))
		return add(s, doc, path, json_deep_copy(v)) ? JSONPATCH_OK
							    : JSONPATCH_BAD;
	/* move */
	if (!strcmp(path, from))
		return JSONPATCH_OK;
	if (is_within(path, from)) {
		s->why = "A value cannot be moved into itself.";
		return JSONPATCH_BAD;
	}
	if (!remove_at(s, *doc, from, &v))
		return JSONPATCH_BAD;
	return add(s, doc, path, v) ? JSONPATCH_OK : JSONPATCH_BAD;
}

enum jsonpatch_result
jsonpatch_apply(json_t **doc, json_t *patch, const char **why, int *at)
{
	struct patch_state s = {NULL};
	enum jsonpatch_result r = JSONPATCH_OK;
	json_t *work, *op;
	size_t i;

	if (at)
		*at = -1;
	if (!json_is_array(patch)) {
		if (why)
			*why = "A JSON Patch is an array of operations.";
		return JSONPATCH_BAD;
	}
	if (!(work = json_deep_copy(*doc)))
		return JSONPATCH_NOMEM;
	json_array_foreach(patch, i, op) {
		if ((r = apply_one(&s, &work, op)) != JSONPATCH_OK) {
			if (at)
				*at = (int)i;
			break;
		}
	}
	if (r != JSONPATCH_OK) {
		json_decref(work);
		if (why)
			*why = s.why;
		return r;
	}
	json_decref(*doc);
	*doc = work;
	return JSONPATCH_OK;
}
