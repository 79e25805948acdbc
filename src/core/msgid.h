/*
 * N_() around a string literal marks an English sentence for translation where it is
 * defined (a table, a validator), without translating it there: the page
 * translates it later with tr(). scripts/po-update.mjs collects every
 * N_(), tr(), trn() and problems_add() message and every {{#_}} section
 * of the templates into po/es.po.
 */
#ifndef CORE_MSGID_H
#define CORE_MSGID_H

#define N_(s) s

#endif
