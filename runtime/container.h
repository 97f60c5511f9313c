#ifndef HUSK_CONTAINER_H
#define HUSK_CONTAINER_H
#endif
