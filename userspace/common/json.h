/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer for nfsec -j and nfsec-iked's "show-json": compact, one
 * document per json_init().
 *
 * Inside an object every value takes a key; inside an array, and for the top-level value,
 * key must be NULL. Misuse (a missing or stray key, too deep, unbalanced end, a second
 * top-level value) writes nothing more and makes json_finish() fail, so a bug in a command
 * cannot pass its broken JSON off as a success.
 */
#ifndef NFSEC_COMMON_JSON_H
#define NFSEC_COMMON_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { JSON_MAX_DEPTH = 16 };

struct json {
	FILE *out;
	unsigned int depth;		/* open objects and arrays */
	char open[JSON_MAX_DEPTH];	/* '{' or '[' for each */
	bool empty[JSON_MAX_DEPTH];	/* no value in it yet: no comma before the next */
	bool done;			/* the top-level value is complete */
	bool misuse;
};

void json_init(struct json *j, FILE *out);

void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);

/* A NULL value writes null. */
void json_string(struct json *j, const char *key, const char *value);
void json_u64(struct json *j, const char *key, uint64_t value);
void json_bool(struct json *j, const char *key, bool value);

/* A word with dashes ("auth-fail") as a key, its dashes as underscores, into key. */
void json_key(char *key, size_t size, const char *word);

/* Ends the document with a newline: 0, or -1 on misuse, unclosed levels or write error. */
int json_finish(struct json *j);

#endif /* NFSEC_COMMON_JSON_H */
