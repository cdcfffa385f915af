#ifndef VENDOR_GATEWAY_LIBXML2_SHIM_H
#define VENDOR_GATEWAY_LIBXML2_SHIM_H
// Debian builds libxml2 with ICU; its headers then pull in ICU's UErrorCode,
// which clashes with the copy of ICU that Foundation bundles. Nothing here
// uses libxml2's ICU encoders, so the ICU part of the headers is disabled.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlIO.h>
#endif
