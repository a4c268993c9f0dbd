/*
 * reghunt: umbrella header. Includes every public header; include the individual ones if you
 * only need part of the API.
 */
#ifndef REGHUNT_REGHUNT_H
#define REGHUNT_REGHUNT_H

#include "status.h"
#include "ctx.h"
#include "text.h"
#include "event.h"
#include "hive.h"
#include "sigma.h"
#include "kb.h"
#include "interp.h"
#include "score.h"
#include "evtx.h"
#include "evidence.h"
#include "ioc.h"
#include "collection.h"
#include "hunt.h"
#include "stack.h"
#include "case.h"
#include "query.h"
#include "os.h"
#include "live.h"
#include "report.h"

#define RH_VERSION_STRING "0.1.0"

#endif
