#ifndef HUSK_UNIT_H
#define HUSK_UNIT_H
#endif
