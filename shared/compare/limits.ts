/** Most hosts compared side by side (a compare of more is refused before anything is read; --summary takes any number of files). */
export const MAX_COMPARE_HOSTS = 50;
