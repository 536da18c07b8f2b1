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
	case PHN_ENETWORK: return "network error";
	case PHN_EAUTH: return "authentication failed";
	}
	return "unknown error";
}

const char *phn_version(void)
{
	return PHN_VERSION;
}

int phn_version_number(void)
{
	return PHN_VERSION_NUMBER;
}
