/*
 * The delivery worker's insides, shared by deliver.c (the rounds and the
 * thread) and deliver_curl.c (the libcurl transports).
 */
#ifndef CONTACT_DELIVER_INT_H
#define CONTACT_DELIVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "contact/deliver.h"

struct deliver {
	struct deliver_options o;	/* strings are our own copies */
	pthread_t thread;
	bool running;
	pthread_mutex_t mu;		/* with cv: wakes the idle thread */
	pthread_cond_t cv;
	atomic_bool stop;		/* also cuts a hand-over short */
	atomic_uint_fast64_t sent, failed, dead;
	/* One handle per transport, used by one thread at a time, so
	 * libcurl keeps the connection to the server between messages. */
	void *smtp;
	void *sms;
};

/* Frees the libcurl handles. */
void deliver_curl_release(struct deliver *d);

#endif
