/* Access rights as the shadow MMU carries them: what a translation allows, combined over levels. */
#ifndef UMBRA_MM_ACCESS_H
#define UMBRA_MM_ACCESS_H

#define ACC_EXEC	1	/* no level has XD set (with EFER.NXE) */
#define ACC_WRITE	2	/* every level has R/W set */
#define ACC_USER	4	/* every level has U/S set */
#define ACC_ALL		(ACC_EXEC | ACC_WRITE | ACC_USER)

#endif
