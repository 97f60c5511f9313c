#ifndef HUSK_SYNC_H
#define HUSK_SYNC_H
#endif
