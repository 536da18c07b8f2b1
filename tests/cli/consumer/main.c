/* A user's program: includes <phonenorm.h>, links the library, nothing more. */
#include <phonenorm.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	phn_number num = PHN_NUMBER_INIT;

	if (phn_number_parse(&num, "00966 50 123 4567", "sa") != PHN_OK)
		return 1;
	printf("%s %s %s\n", phn_version(), phn_status_name(num.status), num.e164);
	return strcmp(num.e164, "+966501234567") == 0 ? 0 : 1;
}
