package newsarchive.eslauncher;
class Placeholder {}
