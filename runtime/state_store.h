#ifndef HUSK_STATE_STORE_H
#define HUSK_STATE_STORE_H
#endif
