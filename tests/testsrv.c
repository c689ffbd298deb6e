/* testsrv: placeholder for the HTTP fixture server. */
int main(void);
int main(void) { return 0; }
