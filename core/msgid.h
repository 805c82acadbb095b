/*
 * msgid.h — N_("…") marks a text that reaches a buyer's page as a msgid of
 * the message catalogs (po/, made by tools/pot.sh with xgettext). It
 * changes nothing: core/ and the tables answer in English, the language
 * of the sources, and the page that shows the text translates it
 * (tr() in cgi-bin/view.h); the API and the CLI keep it English.
 */
#ifndef BOXOFFICE_MSGID_H
#define BOXOFFICE_MSGID_H

#define N_(s) (s)
/* The same in a context (msgctxt), looked up with trc(r, ctx, s). */
#define NC_(ctx, s) (s)

#endif
