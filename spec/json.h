#ifndef HUSK_SPEC_JSON_H
#define HUSK_SPEC_JSON_H
#endif
