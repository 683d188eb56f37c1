// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect
// metadata polyfill loaded first; every signing file imports X.509 through here so the order holds.
import 'reflect-metadata';

export * from '@peculiar/x509';
