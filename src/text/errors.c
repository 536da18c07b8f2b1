#include "phonenorm/common.h"
#include "phonenorm/version.h"

const char *phn_strerror(int code)
{
	switch (code) {
	case PHN_OK: return "success";
	case PHN_EINVAL: return "invalid argument";
	case PHN_ENOMEM: return "out of memory";
	case PHN_EBUFS: return "buffer too small";
	case PHN_EREGION: return "unknown region (expected an ISO 3166-1 alpha-2 code such as SA or US)";
	case PHN_EINTERNAL: return "internal error in a dependency";
	case PHN_EVERSION: return "unsupported struct version";
	case PHN_EIO: return "input/output error";
	case PHN_EFORMAT: return "malformed input";
	case PHN_ENOTFOUND: return "not found";
	case PHN_ENETWORK: return "network error (reserved, not returned)";
	case PHN_EAUTH: return "authentication failed";
	case PHN_ESTATE: return "not allowed now (too late or too early)";
	}
	return "unknown error";
}

const char *phn_error_name(int code)
{
	switch (code) {
	case PHN_OK: return "PHN_OK";
	case PHN_EINVAL: return "PHN_EINVAL";
	case PHN_ENOMEM: return "PHN_ENOMEM";
	case PHN_EBUFS: return "PHN_EBUFS";
	case PHN_EREGION: return "PHN_EREGION";
	case PHN_EINTERNAL: return "PHN_EINTERNAL";
	case PHN_EVERSION: return "PHN_EVERSION";
	case PHN_EIO: return "PHN_EIO";
	case PHN_EFORMAT: return "PHN_EFORMAT";
	case PHN_ENOTFOUND: return "PHN_ENOTFOUND";
	case PHN_ENETWORK: return "PHN_ENETWORK";
	case PHN_EAUTH: return "PHN_EAUTH";
	case PHN_ESTATE: return "PHN_ESTATE";
	}
	return "PHN_E?";
}

const char *phn_version(void)
{
	return PHN_VERSION;
}

int phn_version_number(void)
{
	return PHN_VERSION_NUMBER;
}
