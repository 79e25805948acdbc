/*
 * Progress-note Markdown through libcmark. The tree cmark parses is
 * walked to refuse raw HTML and unsafe link addresses before a note is
 * stored, to reduce such links to text again before rendering, and to
 * collect the plain text.
 */
#include "care/markdown.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <cmark.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/msgid.h"
#include "core/str.h"
#include "core/banned.h"

/* Never CMARK_OPT_UNSAFE: cmark then omits raw HTML and bad addresses. */
#define MD_OPTS (CMARK_OPT_DEFAULT | CMARK_OPT_HARDBREAKS | \
		 CMARK_OPT_VALIDATE_UTF8)

/* Lists nested deeper than this are numbered with "- ". */
#define MD_LIST_DEPTH 32

struct list_level {
	bool ordered;
	int next;
};

struct text_walk {
	struct buf b;
	struct list_level level[MD_LIST_DEPTH];
	int depth;
};

static bool
has_prefix_ci(const char *s, const char *prefix)
{
	size_t i;
	char c;

	for (i = 0; prefix[i]; i++) {
		c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != prefix[i])
			return false;
	}
	return true;
}

/* http:, https: and mailto: only, after leading spaces and controls. */
static bool
url_allowed(const char *url)
{
	if (!url)
		return false;
	while (*url && (unsigned char)*url <= 0x20)
		url++;
	return has_prefix_ci(url, "http:") || has_prefix_ci(url, "https:") ||
	       has_prefix_ci(url, "mailto:");
}

static bool
is_link(cmark_node *node)
{
	cmark_node_type t = cmark_node_get_type(node);

	return t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE;
}

static void
cmark_free_str(char *s)
{
	cmark_get_default_mem_allocator()->free(s);
}

enum err
markdown_check(const char *md, size_t len, const char **why)
{
	cmark_event_type ev;
	cmark_node *doc, *node;
	cmark_iter *it;
	enum err rc = ERR_OK;

	*why = NULL;
	if (!utf8_valid(md, len)) {
		*why = N_("The note has characters that cannot be read. "
			  "Type or paste the text again.");
		return ERR_INVALID;
	}
	doc = cmark_parse_document(md, len, CMARK_OPT_DEFAULT);
	if (!doc)
		return ERR_NOMEM;
	it = cmark_iter_new(doc);
	if (!it) {
		rc = ERR_NOMEM;
		goto out_doc;
	}
	for (ev = cmark_iter_next(it); ev != CMARK_EVENT_DONE;
	     ev = cmark_iter_next(it)) {
		if (ev != CMARK_EVENT_ENTER)
			continue;
		node = cmark_iter_get_node(it);
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_HTML_INLINE:
			*why = N_("Notes cannot contain HTML. Write plain "
				  "text; Markdown such as *emphasis* and "
				  "lists is fine.");
			rc = ERR_INVALID;
			goto out_iter;
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			if (url_allowed(cmark_node_get_url(node)))
				break;
			*why = N_("Links in notes must start with https://, "
				  "http:// or mailto:.");
			rc = ERR_INVALID;
			goto out_iter;
		default:
			break;
		}
	}
out_iter:
	cmark_iter_free(it);
out_doc:
	cmark_node_free(doc);
	return rc;
}

/* Puts a link's or image's children (its text) in its place. */
static void
unwrap(cmark_node *node)
{
	cmark_node *child;

	for (child = cmark_node_first_child(node); child;
	     child = cmark_node_first_child(node))
		cmark_node_insert_before(node, child);
	cmark_node_free(node);
}

/*
 * Reduces refused links and images to their text. They are collected
 * first because the tree must not change under the iterator.
 */
static bool
unwrap_bad_links(struct arena *a, cmark_node *doc)
{
	cmark_event_type ev;
	cmark_node **bad = NULL, *node;
	cmark_iter *it;
	size_t n = 0, cap = 0, i;
	bool pass;

	for (pass = false;; pass = true) {
		it = cmark_iter_new(doc);
		if (!it)
			return false;
		for (ev = cmark_iter_next(it); ev != CMARK_EVENT_DONE;
		     ev = cmark_iter_next(it)) {
			node = cmark_iter_get_node(it);
			if (ev != CMARK_EVENT_ENTER || !is_link(node) ||
			    url_allowed(cmark_node_get_url(node)))
				continue;
			if (pass)
				bad[n++] = node;
			else
				cap++;
		}
		cmark_iter_free(it);
		if (pass || cap == 0)
			break;
		bad = arena_calloc(a, cap, sizeof(*bad));
		if (!bad)
			return false;
	}
	/* Innermost last in document order; unwrap from the end inwards. */
	for (i = n; i-- > 0;)
		unwrap(bad[i]);
	return true;
}

char *
markdown_html(struct arena *a, const char *md, size_t len)
{
	cmark_node *doc;
	char *html, *out = NULL;

	doc = cmark_parse_document(md, len, MD_OPTS);
	if (!doc)
		return NULL;
	if (!unwrap_bad_links(a, doc))
		goto out_doc;
	html = cmark_render_html(doc, MD_OPTS);
	if (!html)
		goto out_doc;
	out = arena_strdup(a, html);
	cmark_free_str(html);
out_doc:
	cmark_node_free(doc);
	return out;
}

/* Ends the text so far with `nl` line breaks (none at the very start). */
static void
end_block(struct buf *b, size_t nl)
{
	size_t have = 0;

	if (b->len == 0)
		return;
	while (have < b->len && b->p[b->len - 1 - have] == '\n')
		have++;
	for (; have < nl; have++)
		buf_addc(b, '\n');
}

static void
enter_item(struct text_walk *w)
{
	struct list_level *l;
	int i;

	end_block(&w->b, 1);
	for (i = 1; i < w->depth; i++)
		buf_adds(&w->b, "  ");
	if (w->depth < 1 || w->depth > MD_LIST_DEPTH) {
		buf_adds(&w->b, "- ");
		return;
	}
	l = &w->level[w->depth - 1];
	if (l->ordered)
		buf_printf(&w->b, "%d. ", l->next < INT32_MAX ? l->next++
							      : l->next);
	else
		buf_adds(&w->b, "- ");
}

/* A paragraph in a tight list item ends its line; others a blank line. */
static size_t
paragraph_end(cmark_node *node)
{
	cmark_node *item = cmark_node_parent(node), *list;

	if (!item || cmark_node_get_type(item) != CMARK_NODE_ITEM)
		return 2;
	list = cmark_node_parent(item);
	return list && cmark_node_get_list_tight(list) ? 1 : 2;
}

static void
text_node(struct text_walk *w, cmark_event_type ev, cmark_node *node)
{
	const char *lit;

	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_TEXT:
	case CMARK_NODE_CODE:
		lit = cmark_node_get_literal(node);
		if (lit)
			buf_adds(&w->b, lit);
		break;
	case CMARK_NODE_CODE_BLOCK:
		end_block(&w->b, 2);
		lit = cmark_node_get_literal(node);
		if (lit)
			buf_adds(&w->b, lit);
		end_block(&w->b, 2);
		break;
	case CMARK_NODE_SOFTBREAK:
	case CMARK_NODE_LINEBREAK:
		buf_addc(&w->b, '\n');
		break;
	case CMARK_NODE_LIST:
		if (ev == CMARK_EVENT_ENTER) {
			end_block(&w->b, 1);
			if (w->depth < MD_LIST_DEPTH) {
				w->level[w->depth].ordered =
					cmark_node_get_list_type(node) ==
					CMARK_ORDERED_LIST;
				w->level[w->depth].next =
					cmark_node_get_list_start(node);
			}
			w->depth++;
		} else {
			w->depth--;
			end_block(&w->b, w->depth ? 1 : 2);
		}
		break;
	case CMARK_NODE_ITEM:
		if (ev == CMARK_EVENT_ENTER)
			enter_item(w);
		break;
	case CMARK_NODE_PARAGRAPH:
		if (ev == CMARK_EVENT_EXIT)
			end_block(&w->b, paragraph_end(node));
		break;
	case CMARK_NODE_HEADING:
	case CMARK_NODE_THEMATIC_BREAK:
	case CMARK_NODE_BLOCK_QUOTE:
		end_block(&w->b, 2);
		break;
	default:
		break;
	}
}

char *
markdown_text(struct arena *a, const char *md, size_t len)
{
	struct text_walk w;
	cmark_event_type ev;
	cmark_node *doc;
	cmark_iter *it;
	char *out = NULL;

	doc = cmark_parse_document(md, len, MD_OPTS);
	if (!doc)
		return NULL;
	it = cmark_iter_new(doc);
	if (!it)
		goto out_doc;
	memset(&w, 0, sizeof(w));
	/*
	 * Room for the text, markers and breaks: every item or block
	 * costs at least as many bytes of Markdown as it adds here, and
	 * an entity or a tab never grows more than eightfold.
	 */
	buf_init(&w.b, a, 8 * len + 256);
	for (ev = cmark_iter_next(it); ev != CMARK_EVENT_DONE;
	     ev = cmark_iter_next(it))
		text_node(&w, ev, cmark_iter_get_node(it));
	while (w.b.len && (w.b.p[w.b.len - 1] == '\n' ||
			   w.b.p[w.b.len - 1] == ' '))
		w.b.p[--w.b.len] = '\0';
	if (!w.b.failed)
		out = w.b.p;
	cmark_iter_free(it);
out_doc:
	cmark_node_free(doc);
	return out;
}
