// The baseline for `phonenorm clean`: what a competent C++ programmer writes
// with libphonenumber directly. For each row of the CSV: split the fields
// (quote-aware; the benchmark list has no line breaks inside fields), Parse
// with the row's region (the country column, else SA), IsValidNumber,
// GetNumberType, Format E164, and dedupe the E.164 strings in a
// std::unordered_set<std::string> reserved up front. It writes nothing; it
// prints its counts and its time so the driver can compare.
//
//   clean_raw FILE.csv [PHONE_COLUMN [COUNTRY_COLUMN]]   (0-based; default 4 5)

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <unordered_set>
#include <vector>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

static void split_csv(const std::string &line, std::vector<std::string> *fields)
{
	fields->clear();
	std::string cur;
	bool quoted = false;
	for (size_t i = 0; i < line.size(); i++) {
		char c = line[i];
		if (quoted) {
			if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
				cur += '"';
				i++;
			} else if (c == '"') {
				quoted = false;
			} else {
				cur += c;
			}
		} else if (c == '"' && cur.empty()) {
			quoted = true;
		} else if (c == ',') {
			fields->push_back(cur);
			cur.clear();
		} else if (c != '\r') {
			cur += c;
		}
	}
	fields->push_back(cur);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		std::fprintf(stderr, "usage: clean_raw FILE.csv [PHONE_COLUMN [COUNTRY_COLUMN]]\n");
		return 2;
	}
	const size_t phone_col = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 4;
	const size_t country_col = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 5;
	std::ifstream in(argv[1]);
	if (!in) {
		std::fprintf(stderr, "clean_raw: cannot read %s\n", argv[1]);
		return 2;
	}
	const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
	auto t0 = std::chrono::steady_clock::now();

	std::string line, e164;
	std::vector<std::string> fields;
	std::unordered_set<std::string> seen;
	seen.reserve(1 << 20);
	unsigned long rows = 0, clean = 0, rejected = 0, duplicates = 0;
	unsigned long by_type[16] = {};

	std::getline(in, line); // header
	while (std::getline(in, line)) {
		if (line.empty())
			continue;
		rows++;
		split_csv(line, &fields);
		if (fields.size() <= phone_col) {
			rejected++;
			continue;
		}
		const std::string region = fields.size() > country_col && !fields[country_col].empty()
						   ? fields[country_col] : "SA";
		PhoneNumber pn;
		if (util.Parse(fields[phone_col], region, &pn) != PhoneNumberUtil::NO_PARSING_ERROR ||
		    !util.IsValidNumber(pn)) {
			rejected++;
			continue;
		}
		PhoneNumberUtil::PhoneNumberType type = util.GetNumberType(pn);
		util.Format(pn, PhoneNumberUtil::E164, &e164);
		if (seen.insert(e164).second) {
			clean++;
			by_type[type & 15]++;
		} else {
			duplicates++;
		}
	}
	double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	std::printf("rows %lu clean %lu rejected %lu duplicates %lu seconds %.3f\n", rows, clean,
		    rejected, duplicates, secs);
	return 0;
}
