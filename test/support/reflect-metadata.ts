/**
 * The part of the reflect-metadata API that tsyringe (under @peculiar/x509) calls, for want of the
 * package: metadata kept per object and key, looked up the prototype chain by getMetadata.
 */
type MetadataReflect = typeof Reflect & {
  defineMetadata?(key: unknown, value: unknown, target: object): void;
  getOwnMetadata?(key: unknown, target: object): unknown;
  getMetadata?(key: unknown, target: object): unknown;
};

const reflect = Reflect as MetadataReflect;

if (!reflect.getMetadata) {
  const store = new WeakMap<object, Map<unknown, unknown>>();
  reflect.defineMetadata = (key, value, target) => {
    const entries = store.get(target) ?? new Map<unknown, unknown>();
    entries.set(key, value);
    store.set(target, entries);
  };
  reflect.getOwnMetadata = (key, target) => store.get(target)?.get(key);
  reflect.getMetadata = (key, target) => {
    for (let object: object | null = target; object; object = Object.getPrototypeOf(object) as object | null) {
      const entries = store.get(object);
      if (entries?.has(key)) return entries.get(key);
    }
    return undefined;
  };
}

export {};
